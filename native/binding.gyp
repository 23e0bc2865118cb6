# ccpty's own PTY spawner (pty.c), built by scripts/ensure-build.mjs on Linux. Optional: without
# it the server falls back to node-pty's fork (src/server/pty/native-terminal.ts says why it is faster).
{
  "targets": [
    {
      "target_name": "ccpty_pty",
      "sources": ["pty.c"],
      "cflags": ["-Wall", "-Wextra", "-Werror=implicit-function-declaration"],
      "libraries": ["-lpthread"]
    }
  ]
}
