/* Makes one thread (pthread_create: clone3 with CLONE_THREAD on glibc 2.34+),
 * then one process with posix_spawn (clone3 with CLONE_VM|CLONE_VFORK) that
 * runs `/bin/true ARG`, and one with fork (clone) that exits with 3.
 * Prints "thread TID", "spawned PID" and "forked PID" for the live-supervise
 * test, which checks that only the processes are shown as forks. */
#define _GNU_SOURCE
#include <pthread.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static void *thread_main(void *arg)
{
	(void)arg;
	printf("thread %d\n", (int)gettid());
	fflush(stdout);
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t t;
	pid_t pid;
	int status;
	char *child_argv[] = { "/bin/true", argc > 1 ? argv[1] : "x", NULL };

	if (pthread_create(&t, NULL, thread_main, NULL) != 0 || pthread_join(t, NULL) != 0)
		return 1;
	if (posix_spawn(&pid, "/bin/true", NULL, NULL, child_argv, environ) != 0)
		return 1;
	printf("spawned %d\n", (int)pid);
	fflush(stdout);
	if (waitpid(pid, &status, 0) != pid)
		return 1;
	pid = fork();
	if (pid < 0)
		return 1;
	if (pid == 0)
		_exit(3);
	printf("forked %d\n", (int)pid);
	fflush(stdout);
	if (waitpid(pid, &status, 0) != pid)
		return 1;
	return 0;
}
