#ifndef PLEDGEWATCH_SIGNAL_CLEANUP_H
#define PLEDGEWATCH_SIGNAL_CLEANUP_H

/// Files to remove if the process is ended by SIGINT, SIGTERM or SIGHUP (a half-written temporary file,
/// say). On the first registration a handler is installed for each of those signals whose disposition is
/// still the default (one that is ignored, as under nohup, stays ignored); it unlinks every registered
/// path — unlink is async-signal-safe — then lets the signal end the process as it would have (the exit
/// status still says which signal). Returns a slot for `pw_cleanup_remove`, or -1 when the path is too
/// long or all slots are taken (the file is then simply not cleaned up).
int pw_cleanup_add(const char *path);

/// Forgets a registration (after the file was renamed or removed). A negative slot is ignored.
void pw_cleanup_remove(int slot);

#endif
