#if canImport(Glibc)
    import CMalloc
#endif

/// glibc's allocator gives each thread that allocates while others do an arena of its own (up to eight per
/// core), and keeps what was freed in an arena for that arena.
/// - `evaluate` allocates on four threads at once (the connection's, the reader's, the assessing
///   workers'), so the memory one batch freed in one arena is not there for the next batch allocating in
///   another. Two arenas: medium evaluate's peak RSS 62–65 → 54–56 MB (three alternated runs each), its
///   time within the runs' spread.
/// - `serve` rebuilds its cache (the whole document, its renderings) on whichever pool thread runs the
///   refresh: at the medium scale its RSS grew by 50–100 MB a refresh with the default (six refreshes:
///   344 → 619 MB) and 314 → 548 MB with two arenas. The dashboard's answers (sent from the pipeline,
///   allocating next to nothing) keep their rate; one pledge's detail, through the router, allocates per
///   request and lost about a tenth (seven alternated 5 s wrk runs: median 57,700 → 51,100 requests/s,
///   against a target of 5,000).
/// - `export` measured no difference (85–94 MB either way) and keeps the default.
enum MallocArenas {
    /// Call as the command starts, before it starts threads of its own: the limit applies to arenas made
    /// afterwards (glibc makes them as threads contend).
    static func limit() {
        #if canImport(Glibc)
            _ = mallopt(M_ARENA_MAX, 2)
        #endif
    }
}
