/*
 * ccpty's PTY spawner for Linux (glibc >= 2.34), a Node-API addon of four functions:
 *
 *   openPty(cols, rows)                  -> { master, slave, path }
 *   spawn(file, argv, envp, cwd, path)   -> pid
 *   resize(fd, cols, rows)
 *   watch(pid, cb)                       -- cb(exitCode, signal) once the child is reaped
 *
 * Why not node-pty's fork: fork() copies the server's page tables, so starting a session
 * costs time in proportion to the server's memory (measured here: 4 ms at 45 MiB, 25-30 ms at
 * 450 MiB), and the child inherits every descriptor the server has open (other sessions'
 * masters among them), which ccpty had to close in a bash wrapper (3-5 ms more). posix_spawn
 * uses CLONE_VFORK (no copy), makes the child a session leader (POSIX_SPAWN_SETSID), opens
 * the slave as its controlling terminal and closes everything above stderr (closefrom) in
 * the child before it execs: 7 ms to the first byte of a shell at any server size.
 *
 * Every descriptor this file opens is close-on-exec, so no other child of the server
 * inherits a terminal either.
 */
#define _GNU_SOURCE
#define NAPI_VERSION 8
#include <node_api.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#define CHECK(call)                                                    \
  do {                                                                 \
    if ((call) != napi_ok) {                                           \
      napi_throw_error(env, "EINVAL", "ccpty_pty: bad arguments");     \
      return NULL;                                                     \
    }                                                                  \
  } while (0)

static napi_value throw_errno(napi_env env, int err, const char *what) {
  char msg[256];
  snprintf(msg, sizeof msg, "%s: %s", what, strerror(err));
  const char *code = strerrorname_np(err);
  napi_throw_error(env, code ? code : "EIO", msg);
  return NULL;
}

/* A JS string as a malloc'ed C string; NULL if it is not one (or holds a NUL byte). */
static char *get_string(napi_env env, napi_value v) {
  size_t n;
  if (napi_get_value_string_utf8(env, v, NULL, 0, &n) != napi_ok) return NULL;
  char *s = malloc(n + 1);
  if (!s) return NULL;
  napi_get_value_string_utf8(env, v, s, n + 1, &n);
  if (strlen(s) != n) { /* an embedded NUL would silently cut an argument short */
    free(s);
    return NULL;
  }
  return s;
}

static void free_strings(char **a) {
  if (!a) return;
  for (char **p = a; *p; p++) free(*p);
  free(a);
}

/* A JS array of strings as a NULL-terminated malloc'ed vector. */
static char **get_strings(napi_env env, napi_value arr) {
  uint32_t n;
  if (napi_get_array_length(env, arr, &n) != napi_ok) return NULL;
  char **out = calloc((size_t)n + 1, sizeof(char *));
  if (!out) return NULL;
  for (uint32_t i = 0; i < n; i++) {
    napi_value e;
    if (napi_get_element(env, arr, i, &e) != napi_ok || !(out[i] = get_string(env, e))) {
      free_strings(out);
      return NULL;
    }
  }
  return out;
}

static int get_int(napi_env env, napi_value v, int32_t *out) {
  return napi_get_value_int32(env, v, out) == napi_ok;
}

/* The terminal settings node-pty gives its children, plus IUTF8 (sessions are UTF-8: a
 * backspace in a cooked-mode program erases a whole character). */
static void default_termios(struct termios *t) {
  memset(t, 0, sizeof *t);
  t->c_iflag = ICRNL | IXON | IXANY | IMAXBEL | BRKINT | IUTF8;
  t->c_oflag = OPOST | ONLCR;
  t->c_cflag = CREAD | CS8 | HUPCL;
  t->c_lflag = ICANON | ISIG | IEXTEN | ECHO | ECHOE | ECHOK | ECHOKE | ECHOCTL;
  t->c_cc[VEOF] = 4;
  t->c_cc[VEOL] = 0xff;
  t->c_cc[VEOL2] = 0xff;
  t->c_cc[VERASE] = 0x7f;
  t->c_cc[VWERASE] = 23;
  t->c_cc[VKILL] = 21;
  t->c_cc[VREPRINT] = 18;
  t->c_cc[VINTR] = 3;
  t->c_cc[VQUIT] = 0x1c;
  t->c_cc[VSUSP] = 26;
  t->c_cc[VSTART] = 17;
  t->c_cc[VSTOP] = 19;
  t->c_cc[VLNEXT] = 22;
  t->c_cc[VDISCARD] = 15;
  t->c_cc[VMIN] = 1;
  t->c_cc[VTIME] = 0;
  cfsetispeed(t, B38400);
  cfsetospeed(t, B38400);
}

static napi_value OpenPty(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  int32_t cols, rows;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc != 2 || !get_int(env, argv[0], &cols) || !get_int(env, argv[1], &rows) || cols < 1 || rows < 1 || cols > 0xffff || rows > 0xffff) {
    napi_throw_error(env, "EINVAL", "openPty(cols, rows): two sizes from 1 to 65535");
    return NULL;
  }
  int master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (master < 0) return throw_errno(env, errno, "posix_openpt");
  char path[128];
  if (grantpt(master) || unlockpt(master) || ptsname_r(master, path, sizeof path)) {
    int err = errno;
    close(master);
    return throw_errno(env, err, "grantpt/unlockpt/ptsname");
  }
  /* The server holds the slave too (PtyProcess: output is drained before the exit). */
  int slave = open(path, O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (slave < 0) {
    int err = errno;
    close(master);
    return throw_errno(env, err, "open slave");
  }
  struct termios t;
  default_termios(&t);
  struct winsize ws = {.ws_row = (unsigned short)rows, .ws_col = (unsigned short)cols};
  int flags = fcntl(master, F_GETFL);
  if (tcsetattr(slave, TCSANOW, &t) || ioctl(master, TIOCSWINSZ, &ws) || flags < 0 || fcntl(master, F_SETFL, flags | O_NONBLOCK)) {
    int err = errno;
    close(slave);
    close(master);
    return throw_errno(env, err, "terminal setup");
  }
  napi_value out, vm, vs, vp;
  CHECK(napi_create_object(env, &out));
  CHECK(napi_create_int32(env, master, &vm));
  CHECK(napi_create_int32(env, slave, &vs));
  CHECK(napi_create_string_utf8(env, path, NAPI_AUTO_LENGTH, &vp));
  CHECK(napi_set_named_property(env, out, "master", vm));
  CHECK(napi_set_named_property(env, out, "slave", vs));
  CHECK(napi_set_named_property(env, out, "path", vp));
  return out;
}

static napi_value Spawn(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value a[5];
  CHECK(napi_get_cb_info(env, info, &argc, a, NULL, NULL));
  if (argc != 5) {
    napi_throw_error(env, "EINVAL", "spawn(file, argv, envp, cwd, path)");
    return NULL;
  }
  char *file = get_string(env, a[0]), *cwd = get_string(env, a[3]), *path = get_string(env, a[4]);
  char **args = get_strings(env, a[1]), **envp = get_strings(env, a[2]);
  napi_value result = NULL;
  if (!file || !cwd || !path || !args || !envp || !args[0]) {
    napi_throw_error(env, "EINVAL", "spawn: strings without NUL bytes, and argv[0]");
    goto out;
  }
  posix_spawn_file_actions_t fa;
  posix_spawnattr_t attr;
  posix_spawn_file_actions_init(&fa);
  posix_spawnattr_init(&attr);
  sigset_t all, none;
  sigfillset(&all);
  sigemptyset(&none);
  /* glibc runs setsid before the file actions, so the slave opened on fd 0 (no O_NOCTTY)
   * becomes the new session's controlling terminal. Signals start at their defaults: Node
   * ignores SIGPIPE, and an ignored signal would stay ignored across exec. */
  posix_spawnattr_setsigdefault(&attr, &all);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
  posix_spawn_file_actions_addopen(&fa, 0, path, O_RDWR, 0);
  posix_spawn_file_actions_adddup2(&fa, 0, 1);
  posix_spawn_file_actions_adddup2(&fa, 0, 2);
  posix_spawn_file_actions_addclosefrom_np(&fa, 3);
  posix_spawn_file_actions_addchdir_np(&fa, cwd);
  pid_t pid;
  int err = posix_spawn(&pid, file, &fa, &attr, args, envp);
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  if (err) {
    throw_errno(env, err, file);
    goto out;
  }
  napi_create_int32(env, pid, &result);
out:
  free(file);
  free(cwd);
  free(path);
  free_strings(args);
  free_strings(envp);
  return result;
}

static napi_value Resize(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value a[3];
  int32_t fd, cols, rows;
  CHECK(napi_get_cb_info(env, info, &argc, a, NULL, NULL));
  if (argc != 3 || !get_int(env, a[0], &fd) || !get_int(env, a[1], &cols) || !get_int(env, a[2], &rows) || cols < 1 || rows < 1 || cols > 0xffff || rows > 0xffff) {
    napi_throw_error(env, "EINVAL", "resize(fd, cols, rows)");
    return NULL;
  }
  struct winsize ws = {.ws_row = (unsigned short)rows, .ws_col = (unsigned short)cols};
  if (ioctl(fd, TIOCSWINSZ, &ws)) return throw_errno(env, errno, "resize");
  return NULL;
}

/* ---- watch: one small thread per child, blocked in waitpid (as node-pty does: the libuv
 * thread pool would run out with more sessions than it has threads). ----
 *
 * The thread and the threadsafe function's finalizer share a Watch, freed by whichever is
 * last. When Node tears the environment down (the server exiting while children run), it
 * deletes the threadsafe function although the thread still waits: the finalizer marks the
 * Watch closed, under the lock, and a thread that wakes up later touches nothing of Node's. */

typedef struct {
  int code, signal;
} Exit;

typedef struct {
  pid_t pid;
  napi_threadsafe_function tsfn;
  Exit *exit; /* allocated up front: an exit must not go unreported for want of memory */
  int closed; /* the threadsafe function is gone (guarded by lock) */
  int refs;   /* the thread and the finalizer (guarded by lock) */
} Watch;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static void unref_watch(Watch *w) {
  /* called with lock held */
  if (--w->refs == 0) free(w);
}

static void finalize_watch(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  Watch *w = data;
  pthread_mutex_lock(&lock);
  w->closed = 1;
  unref_watch(w);
  pthread_mutex_unlock(&lock);
}

static void call_js(napi_env env, napi_value cb, void *context, void *data) {
  (void)context;
  Exit *e = data;
  if (env && cb) { /* NULL while Node drops what is queued at teardown */
    napi_value args[2], global;
    napi_create_int32(env, e->code, &args[0]);
    napi_create_int32(env, e->signal, &args[1]);
    napi_get_global(env, &global);
    napi_call_function(env, global, cb, 2, args, NULL);
  }
  free(e);
}

static void *wait_child(void *arg) {
  Watch *w = arg;
  int status = 0;
  pid_t r;
  do r = waitpid(w->pid, &status, 0);
  while (r < 0 && errno == EINTR);
  Exit *e = w->exit;
  /* r < 0 (ECHILD): reaped elsewhere; report a plain exit rather than never. */
  e->code = r > 0 && WIFEXITED(status) ? WEXITSTATUS(status) : 0;
  e->signal = r > 0 && WIFSIGNALED(status) ? WTERMSIG(status) : 0;
  pthread_mutex_lock(&lock);
  int sent = 0;
  if (!w->closed) {
    /* Unlimited queue: never blocks. After a failure (napi_closing) the function must not be
     * used again, not even released. */
    sent = napi_call_threadsafe_function(w->tsfn, e, napi_tsfn_nonblocking) == napi_ok;
    if (sent) napi_release_threadsafe_function(w->tsfn, napi_tsfn_release);
  }
  unref_watch(w);
  pthread_mutex_unlock(&lock);
  if (!sent) free(e);
  return NULL;
}

static napi_value WatchExit(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value a[2];
  int32_t pid;
  napi_valuetype t;
  CHECK(napi_get_cb_info(env, info, &argc, a, NULL, NULL));
  if (argc != 2 || !get_int(env, a[0], &pid) || pid <= 0 || napi_typeof(env, a[1], &t) != napi_ok || t != napi_function) {
    napi_throw_error(env, "EINVAL", "watch(pid, callback)");
    return NULL;
  }
  napi_value name;
  CHECK(napi_create_string_utf8(env, "ccpty_pty.watch", NAPI_AUTO_LENGTH, &name));
  Watch *w = calloc(1, sizeof *w);
  Exit *e = malloc(sizeof *e);
  if (!w || !e) {
    free(w);
    free(e);
    return throw_errno(env, ENOMEM, "watch");
  }
  w->pid = pid;
  w->exit = e;
  w->refs = 2;
  if (napi_create_threadsafe_function(env, a[1], NULL, name, 0, 1, w, finalize_watch, NULL, call_js, &w->tsfn) != napi_ok) {
    free(e);
    free(w);
    napi_throw_error(env, "EIO", "watch: no threadsafe function");
    return NULL;
  }
  /* The terminal's stream keeps the server alive while a session runs; this need not. */
  napi_unref_threadsafe_function(env, w->tsfn);
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  pthread_attr_setstacksize(&attr, 64 * 1024); /* waitpid and one call: far below this */
  pthread_t th;
  int err = pthread_create(&th, &attr, wait_child, w);
  pthread_attr_destroy(&attr);
  if (err) {
    /* Nobody would reap the child: end it and reap it here (SIGKILL: at once). */
    kill(-pid, SIGKILL);
    kill(pid, SIGKILL);
    while (waitpid(pid, NULL, 0) < 0 && errno == EINTR) {
    }
    free(e);
    pthread_mutex_lock(&lock);
    w->refs--; /* no thread: the finalizer (after this abort) frees it */
    pthread_mutex_unlock(&lock);
    napi_release_threadsafe_function(w->tsfn, napi_tsfn_abort);
    return throw_errno(env, err, "watch: pthread_create");
  }
  return NULL;
}

NAPI_MODULE_INIT() {
  static const struct { const char *name; napi_callback fn; } fns[] = {
      {"openPty", OpenPty}, {"spawn", Spawn}, {"resize", Resize}, {"watch", WatchExit}};
  for (size_t i = 0; i < sizeof fns / sizeof fns[0]; i++) {
    napi_value f;
    if (napi_create_function(env, fns[i].name, NAPI_AUTO_LENGTH, fns[i].fn, NULL, &f) != napi_ok ||
        napi_set_named_property(env, exports, fns[i].name, f) != napi_ok)
      return NULL;
  }
  return exports;
}
