extension Connection {
    /// Takes the session-level advisory lock `key` if it is free; returns at once either way.
    /// The lock is held until `advisoryUnlock` or until this session ends.
    public func tryAdvisoryLock(_ key: Int64) throws -> Bool {
        try query("SELECT pg_try_advisory_lock(\(key))").scalar(Bool.self)
    }

    /// Waits for the session-level advisory lock `key`.
    public func advisoryLock(_ key: Int64) throws {
        try query("SELECT pg_advisory_lock(\(key))")
    }

    /// Whether this session holds the session-level advisory lock `key`, as the server says (`pg_locks`
    /// shows a bigint key as its high half in `classid` and its low half in `objid`, with `objsubid` 1).
    /// A lock taken twice is one row there, so this tells "held" apart from "held and stacked" no more than
    /// the server does; it does tell a session that lost its lock (or was replaced) from one that kept it.
    public func holdsAdvisoryLock(_ key: Int64) throws -> Bool {
        try query(
            """
            SELECT EXISTS (
                SELECT 1 FROM pg_locks
                WHERE locktype = 'advisory' AND pid = pg_backend_pid() AND granted AND objsubid = 1
                  AND (classid::bigint << 32) | objid::bigint = \(key)
            )
            """
        ).scalar(Bool.self)
    }

    /// Releases the session-level advisory lock `key`; false when this session did not hold it.
    @discardableResult
    public func advisoryUnlock(_ key: Int64) throws -> Bool {
        try query("SELECT pg_advisory_unlock(\(key))").scalar(Bool.self)
    }
}
