// Running a program to its end without Node's child_process: posix_spawn, both output pipes read in one poll loop, a time limit, an output limit and a notice line.
#define _GNU_SOURCE /* pipe2, posix_spawn_file_actions_addchdir_np, syscall */
#include <node_api.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "spawn.h"

extern char **environ;

/* glibc 2.29 and musl 1.1.24 have it; Node 20 runs on glibc 2.28. Declared weak, it is NULL where the C
   library lacks it, and then runProgram is not offered (have_run_program): the host keeps child_process. */
extern int posix_spawn_file_actions_addchdir_np(posix_spawn_file_actions_t *, const char *) __attribute__((weak));

bool have_run_program(void) {
  return posix_spawn_file_actions_addchdir_np != NULL;
}

/* Bytes read from one pipe: at most `limit` kept, `total` counted (past the limit means the child is stopped). */
typedef struct {
  char *data;
  size_t length;
  size_t room;
  size_t total;
} output;

static double now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

/* Keeps what fits of `n` bytes under `limit`; false when out of memory. */
static bool keep_bytes(output *o, const char *bytes, size_t n, size_t limit) {
  o->total += n;
  size_t take = o->length >= limit ? 0 : (n < limit - o->length ? n : limit - o->length);
  if (take == 0) return true;
  if (o->length + take > o->room) {
    size_t room = o->room ? o->room : 65536;
    while (room < o->length + take) room *= 2;
    char *grown = realloc(o->data, room);
    if (grown == NULL) return false;
    o->data = grown;
    o->room = room;
  }
  memcpy(o->data + o->length, bytes, take);
  o->length += take;
  return true;
}

/* The UTF-8 text of a JavaScript string, malloc'd; NULL (with a TypeError thrown) for anything else. */
static char *utf8_of(napi_env env, napi_value value, const char *what) {
  size_t length = 0;
  if (napi_get_value_string_utf8(env, value, NULL, 0, &length) != napi_ok) {
    char message[96];
    snprintf(message, sizeof message, "runProgram: %s must be a string", what);
    napi_throw_type_error(env, NULL, message);
    return NULL;
  }
  char *text = malloc(length + 1);
  if (text == NULL) {
    napi_throw_error(env, NULL, "runProgram: out of memory");
    return NULL;
  }
  napi_get_value_string_utf8(env, value, text, length + 1, &length);
  if (strlen(text) != length) { /* an embedded NUL: no program argument can hold it */
    free(text);
    char message[96];
    snprintf(message, sizeof message, "runProgram: %s holds a NUL character", what);
    napi_throw_type_error(env, NULL, message);
    return NULL;
  }
  return text;
}

/* A NULL-terminated array of the strings of JavaScript array `value`; NULL (thrown) on a bad one. */
static char **strings_of(napi_env env, napi_value value, const char *what) {
  uint32_t count = 0;
  bool is_array = false;
  if (napi_is_array(env, value, &is_array) != napi_ok || !is_array || napi_get_array_length(env, value, &count) != napi_ok) {
    char message[96];
    snprintf(message, sizeof message, "runProgram: %s must be an array of strings", what);
    napi_throw_type_error(env, NULL, message);
    return NULL;
  }
  char **list = calloc((size_t)count + 1, sizeof *list);
  if (list == NULL) {
    napi_throw_error(env, NULL, "runProgram: out of memory");
    return NULL;
  }
  for (uint32_t i = 0; i < count; i++) {
    napi_value item;
    if (napi_get_element(env, value, i, &item) != napi_ok || (list[i] = utf8_of(env, item, what)) == NULL) {
      for (uint32_t j = 0; j < i; j++) free(list[j]);
      free(list);
      return NULL;
    }
  }
  return list;
}

static void free_strings(char **list) {
  if (list == NULL) return;
  for (char **p = list; *p != NULL; p++) free(*p);
  free(list);
}

/*
 * Waits for `pid` to end, setting *status and *reaped (false only when it cannot be waited for, which
 * leaves its status unknown); with a deadline (ms on now_ms's clock, 0: none), kills it there. True
 * when it was killed so.
 */
static bool reap(pid_t pid, int *status, bool *reaped, double deadline) {
  pid_t r;
  if (deadline == 0) {
    while ((r = waitpid(pid, status, 0)) < 0 && errno == EINTR) {}
    *reaped = r == pid;
    return false;
  }
  /* The pipes end as the child's files close, a moment before it can be waited for: poll a few times, then less often. */
  long pause_ns = 20000;
  for (;;) {
    r = waitpid(pid, status, WNOHANG);
    if (r == pid || (r < 0 && errno != EINTR)) {
      *reaped = r == pid;
      return false;
    }
    if (now_ms() >= deadline) {
      kill(pid, SIGKILL);
      while ((r = waitpid(pid, status, 0)) < 0 && errno == EINTR) {}
      *reaped = r == pid;
      return true;
    }
    struct timespec pause = {0, pause_ns};
    nanosleep(&pause, NULL);
    if (pause_ns < 5000000) pause_ns *= 2;
  }
}

static void set_number(napi_env env, napi_value object, const char *name, double n) {
  napi_value v;
  napi_create_double(env, n, &v);
  napi_set_named_property(env, object, name, v);
}

static void set_bool(napi_env env, napi_value object, const char *name, bool b) {
  napi_value v;
  napi_get_boolean(env, b, &v);
  napi_set_named_property(env, object, name, v);
}

/*
 * runProgram(file, args, cwd, env, timeoutMs, limit, noticeMs, notice): runs `file` (a path, or a name
 * looked up in PATH) with `args` (argv[0] included), in directory `cwd` (null: this one), with
 * environment `env` ("NAME=value" strings; null: this process's), standard input from /dev/null,
 * and waits for it. Past `timeoutMs` (0: never) it is killed with SIGKILL; when it writes more than
 * `limit` bytes to either pipe, too. `notice` (or null) is written to standard error, with a newline,
 * once it has run `noticeMs`. After a kill, grandchildren that still hold its pipes are not waited
 * for. Returns { status, signal, stdout, stderr, errno, timedOut, overflowed }: status -1 when it
 * did not end by exit, signal 0 when no signal ended it, errno nonzero when it could not start.
 */
napi_value run_program(napi_env env, napi_callback_info info) {
  napi_value args[8];
  size_t given = 8;
  if (napi_get_cb_info(env, info, &given, args, NULL, NULL) != napi_ok || given != 8) {
    napi_throw_type_error(env, NULL, "runProgram: expected 8 arguments");
    return NULL;
  }
  napi_valuetype type;
  char *file = NULL, *cwd = NULL, *notice = NULL;
  char **argv = NULL, **envp = NULL;
  double timeout_ms = 0, limit_d = 0, notice_ms = 0;
  napi_value result = NULL;
  output out = {0}, err = {0};
  if ((file = utf8_of(env, args[0], "file")) == NULL || (argv = strings_of(env, args[1], "args")) == NULL) goto done;
  if (napi_typeof(env, args[2], &type) == napi_ok && type != napi_null && (cwd = utf8_of(env, args[2], "cwd")) == NULL) goto done;
  if (napi_typeof(env, args[3], &type) == napi_ok && type != napi_null && (envp = strings_of(env, args[3], "env")) == NULL) goto done;
  if (napi_get_value_double(env, args[4], &timeout_ms) != napi_ok || napi_get_value_double(env, args[5], &limit_d) != napi_ok ||
      napi_get_value_double(env, args[6], &notice_ms) != napi_ok || !(timeout_ms >= 0) || !(limit_d >= 1) || !(notice_ms >= 0)) {
    napi_throw_type_error(env, NULL, "runProgram: timeoutMs, limit and noticeMs must be non-negative numbers (limit at least 1)");
    goto done;
  }
  if (napi_typeof(env, args[7], &type) == napi_ok && type != napi_null && (notice = utf8_of(env, args[7], "notice")) == NULL) goto done;
  size_t limit = (size_t)limit_d;

  int start_error = 0;
  int out_pipe[2] = {-1, -1}, err_pipe[2] = {-1, -1};
  pid_t pid = 0;
  if (pipe2(out_pipe, O_CLOEXEC) != 0 || pipe2(err_pipe, O_CLOEXEC) != 0) start_error = errno;
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attr;
  bool have_actions = false, have_attr = false;
  if (start_error == 0) {
    have_actions = posix_spawn_file_actions_init(&actions) == 0;
    have_attr = posix_spawnattr_init(&attr) == 0;
    if (!have_actions || !have_attr) start_error = ENOMEM;
  }
  if (start_error == 0) {
    /* As Node starts a child: signals at their defaults (Node ignores SIGPIPE), none blocked. */
    sigset_t all, none;
    sigfillset(&all);
    sigemptyset(&none);
    posix_spawnattr_setsigdefault(&attr, &all);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, out_pipe[1], 1);
    posix_spawn_file_actions_adddup2(&actions, err_pipe[1], 2);
    if (cwd != NULL) posix_spawn_file_actions_addchdir_np(&actions, cwd);
    start_error = posix_spawnp(&pid, file, &actions, &attr, argv, envp != NULL ? envp : environ);
  }
  if (have_actions) posix_spawn_file_actions_destroy(&actions);
  if (have_attr) posix_spawnattr_destroy(&attr);
  if (out_pipe[1] >= 0) close(out_pipe[1]);
  if (err_pipe[1] >= 0) close(err_pipe[1]);

  bool timed_out = false, overflowed = false;
  int status = 0;
  bool reaped = false;
  if (start_error == 0) {
    struct pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
    output *into[2] = {&out, &err};
    double started = now_ms();
    double deadline = timeout_ms > 0 ? started + timeout_ms : 0;
    double notice_at = notice != NULL && notice_ms > 0 ? started + notice_ms : 0;
    char *buffer = malloc(65536);
    if (buffer == NULL) overflowed = true; /* nothing can be kept: stopped as if it wrote too much */
    while (!overflowed && (fds[0].fd >= 0 || fds[1].fd >= 0)) {
      double now = now_ms();
      if (deadline != 0 && now >= deadline) {
        timed_out = true;
        break;
      }
      if (notice_at != 0 && now >= notice_at) {
        if (write(2, notice, strlen(notice)) >= 0 && write(2, "\n", 1) >= 0) {}
        notice_at = 0;
      }
      double wait = -1;
      if (deadline != 0) wait = deadline - now;
      if (notice_at != 0 && (wait < 0 || notice_at - now < wait)) wait = notice_at - now;
      int ready = poll(fds, 2, wait < 0 ? -1 : wait > 1e9 ? 1000000000 : (int)(wait + 1)); /* an int of ms, at most ~11 days a wait */
      if (ready < 0) {
        if (errno == EINTR) continue;
        break;
      }
      for (int i = 0; i < 2; i++) {
        if (fds[i].fd < 0 || fds[i].revents == 0) continue;
        ssize_t n = read(fds[i].fd, buffer, 65536);
        if (n > 0) {
          if (!keep_bytes(into[i], buffer, (size_t)n, limit) || into[i]->total > limit) overflowed = true;
        } else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
          close(fds[i].fd);
          fds[i].fd = -1;
        }
      }
      if (overflowed) break;
    }
    free(buffer);
    if (timed_out || overflowed) kill(pid, SIGKILL);
    for (int i = 0; i < 2; i++)
      if (fds[i].fd >= 0) close(fds[i].fd);
    if (reap(pid, &status, &reaped, timed_out || overflowed ? 0 : deadline)) timed_out = true;
  } else {
    if (out_pipe[0] >= 0) close(out_pipe[0]);
    if (err_pipe[0] >= 0) close(err_pipe[0]);
  }

  napi_value stdout_text, stderr_text;
  if (napi_create_object(env, &result) != napi_ok ||
      napi_create_string_utf8(env, out.data != NULL ? out.data : "", out.length, &stdout_text) != napi_ok ||
      napi_create_string_utf8(env, err.data != NULL ? err.data : "", err.length, &stderr_text) != napi_ok) {
    result = NULL;
    goto done;
  }
  bool known = start_error == 0 && reaped; /* how it ended is known */
  set_number(env, result, "status", known && WIFEXITED(status) ? WEXITSTATUS(status) : -1);
  set_number(env, result, "signal", known && WIFSIGNALED(status) ? WTERMSIG(status) : 0);
  napi_set_named_property(env, result, "stdout", stdout_text);
  napi_set_named_property(env, result, "stderr", stderr_text);
  set_number(env, result, "errno", start_error);
  set_bool(env, result, "timedOut", timed_out);
  set_bool(env, result, "overflowed", overflowed);

done:
  free(file);
  free(cwd);
  free(notice);
  free_strings(argv);
  free_strings(envp);
  free(out.data);
  free(err.data);
  return result;
}
