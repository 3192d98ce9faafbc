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

    /// Releases the session-level advisory lock `key`; false when this session did not hold it.
    @discardableResult
    public func advisoryUnlock(_ key: Int64) throws -> Bool {
        try query("SELECT pg_advisory_unlock(\(key))").scalar(Bool.self)
    }
}
