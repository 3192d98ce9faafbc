#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <unistd.h>
#include "signal_cleanup.h"

#define SLOTS 8

static char paths[SLOTS][PATH_MAX];
// Set (release) once the slot's path is written, cleared before it may be rewritten; read (acquire) by the
// handler on whichever thread the signal lands. Lock-free, so safe to read in a signal handler.
static atomic_int used[SLOTS];
static pthread_mutex_t registry = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t installed = PTHREAD_ONCE_INIT;
static const int handled[] = {SIGINT, SIGTERM, SIGHUP};

static void on_signal(int signal_number) {
    for (int slot = 0; slot < SLOTS; slot++) {
        if (atomic_load_explicit(&used[slot], memory_order_acquire)) unlink(paths[slot]);
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
        if (!atomic_load_explicit(&used[slot], memory_order_relaxed)) {
            strcpy(paths[slot], path);
            atomic_store_explicit(&used[slot], 1, memory_order_release);
            found = slot;
        }
    }
    pthread_mutex_unlock(&registry);
    return found;
}

void pw_cleanup_remove(int slot) {
    if (slot < 0 || slot >= SLOTS) return;
    pthread_mutex_lock(&registry);
    atomic_store_explicit(&used[slot], 0, memory_order_release);
    pthread_mutex_unlock(&registry);
}
