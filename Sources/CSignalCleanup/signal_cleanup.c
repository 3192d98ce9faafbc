#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include "signal_cleanup.h"

#define SLOTS 8

static char paths[SLOTS][PATH_MAX];
static volatile sig_atomic_t used[SLOTS];
static pthread_mutex_t registry = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t installed = PTHREAD_ONCE_INIT;
static const int handled[] = {SIGINT, SIGTERM, SIGHUP};

static void on_signal(int signal_number) {
    for (int slot = 0; slot < SLOTS; slot++) {
        if (used[slot]) unlink(paths[slot]);
    }
    // SA_RESETHAND restored the default action on entry; the signal stays blocked until this returns,
    // then ends the process as it would have without the handler.
    raise(signal_number);
}

static void install(void) {
    for (size_t index = 0; index < sizeof handled / sizeof handled[0]; index++) {
        struct sigaction current;
        if (sigaction(handled[index], NULL, &current) != 0 || current.sa_handler != SIG_DFL) continue;
        struct sigaction action;
        memset(&action, 0, sizeof action);
        action.sa_handler = on_signal;
        sigemptyset(&action.sa_mask);
        action.sa_flags = SA_RESETHAND;
        sigaction(handled[index], &action, NULL);
    }
}

int pw_cleanup_add(const char *path) {
    if (strlen(path) >= PATH_MAX) return -1;
    pthread_once(&installed, install);
    int found = -1;
    pthread_mutex_lock(&registry);
    for (int slot = 0; slot < SLOTS && found < 0; slot++) {
        if (!used[slot]) {
            strcpy(paths[slot], path);
            used[slot] = 1;
            found = slot;
        }
    }
    pthread_mutex_unlock(&registry);
    return found;
}

void pw_cleanup_remove(int slot) {
    if (slot < 0 || slot >= SLOTS) return;
    pthread_mutex_lock(&registry);
    used[slot] = 0;
    pthread_mutex_unlock(&registry);
}
