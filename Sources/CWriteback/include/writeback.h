#ifndef PLEDGEWATCH_WRITEBACK_H
#define PLEDGEWATCH_WRITEBACK_H

/// Starts writing a file's dirty pages to its disk without waiting for them (Linux's sync_file_range with
/// SYNC_FILE_RANGE_WRITE, which Swift's Glibc module does not declare: it is a GNU extension). Durability
/// still needs fsync; this only lets the disk work while the writer goes on. Returns 0, or -1 with errno
/// set. Elsewhere a no-op returning 0.
int pw_start_writeback(int fd);

#endif
