/// An error from the database or from this driver, as a value with structure.
///
/// Like postgres-nio's `PSQLError`, `description` is deliberately generic so that row data or
/// statement parameters in server messages never leak into logs by accident; `debugDescription`
/// (`String(reflecting:)`) carries the server's message, detail, hint and constraint.
public struct PostgresError: Error, Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    /// What went wrong, in broad strokes.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        enum Base: String, Sendable { case connectionFailed, connectionLost, server, decoding, copy, usage, invalidConnectionString }
        let base: Base
        /// Connecting failed (server down, wrong host or port, authentication refused).
        public static let connectionFailed = Code(base: .connectionFailed)
        /// An established connection broke: the server went away or the socket closed.
        public static let connectionLost = Code(base: .connectionLost)
        /// The server refused a statement; `sqlState` says why.
        public static let server = Code(base: .server)
        /// A value from the server could not be decoded into the requested Swift type.
        public static let decoding = Code(base: .decoding)
        /// A COPY exchange failed on the client side.
        public static let copy = Code(base: .copy)
        /// The driver was used in a way it does not support (for example a row with the wrong arity).
        public static let usage = Code(base: .usage)
        /// The conninfo or URL given is not one libpq can read: nothing was tried.
        public static let invalidConnectionString = Code(base: .invalidConnectionString)
        public var description: String { base.rawValue }
    }

    /// The broad kind of failure.
    public var code: Code
    /// The server's SQLSTATE, when the server reported one.
    public var sqlState: SQLState?
    /// The primary message (server's or driver's).
    public var message: String
    /// The server's DETAIL field.
    public var detail: String?
    /// The server's HINT field.
    public var hint: String?
    /// The constraint the server named (for integrity violations).
    public var constraint: String?
    /// The column involved (server field, or the column being decoded).
    public var column: String?
    /// The table involved, when the server named one.
    public var table: String?

    public init(
        code: Code, sqlState: SQLState? = nil, message: String, detail: String? = nil, hint: String? = nil,
        constraint: String? = nil, column: String? = nil, table: String? = nil
    ) {
        self.code = code
        self.sqlState = sqlState
        self.message = message
        self.detail = detail
        self.hint = hint
        self.constraint = constraint
        self.column = column
        self.table = table
    }

    /// Generic on purpose: no data from the statement or the server's message.
    public var description: String {
        var text = "PostgresError(code: \(code)"
        if let sqlState { text += ", sqlState: \(sqlState.rawValue)" }
        if let constraint { text += ", constraint: \(constraint)" }
        return text + ")"
    }

    /// Everything known, for a developer's eyes.
    public var debugDescription: String {
        var parts = ["code: \(code)"]
        if let sqlState { parts.append("sqlState: \(sqlState.rawValue)") }
        parts.append("message: \(message)")
        if let detail { parts.append("detail: \(detail)") }
        if let hint { parts.append("hint: \(hint)") }
        if let constraint { parts.append("constraint: \(constraint)") }
        if let table { parts.append("table: \(table)") }
        if let column { parts.append("column: \(column)") }
        return "PostgresError(" + parts.joined(separator: ", ") + ")"
    }

    /// True when the connection that raised this error cannot be used again: it failed or broke on the
    /// client's side, or the server said so — a connection exception (class 08), or the server ending
    /// the session (57P01 an administrator's `pg_terminate_backend` or a fast shutdown, 57P02 a crash,
    /// 57P03 not accepting connections yet, 57P04 the database dropped, 57P05 an idle session timed
    /// out). A cancelled statement (57014) leaves the connection usable.
    public var isConnectionBroken: Bool {
        if code == .connectionLost || code == .connectionFailed { return true }
        guard let sqlState else { return false }
        return sqlState.errorClass == "08" || sqlState.rawValue.hasPrefix("57P")
    }
}

/// A five-character SQLSTATE code with names for the ones this project tests for.
public struct SQLState: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }
    /// The two-character class ("23" for integrity violations).
    public var errorClass: String { String(rawValue.prefix(2)) }

    public static let uniqueViolation = SQLState(rawValue: "23505")
    public static let foreignKeyViolation = SQLState(rawValue: "23503")
    public static let checkViolation = SQLState(rawValue: "23514")
    public static let notNullViolation = SQLState(rawValue: "23502")
    public static let exclusionViolation = SQLState(rawValue: "23P01")
    public static let serializationFailure = SQLState(rawValue: "40001")
    public static let deadlockDetected = SQLState(rawValue: "40P01")
    public static let lockNotAvailable = SQLState(rawValue: "55P03")
    public static let syntaxError = SQLState(rawValue: "42601")
    public static let undefinedTable = SQLState(rawValue: "42P01")
    public static let undefinedColumn = SQLState(rawValue: "42703")
    public static let invalidTextRepresentation = SQLState(rawValue: "22P02")
    public static let numericValueOutOfRange = SQLState(rawValue: "22003")
    public static let invalidDatetimeFormat = SQLState(rawValue: "22007")
    public static let datetimeFieldOverflow = SQLState(rawValue: "22008")
    public static let stringDataRightTruncation = SQLState(rawValue: "22001")
    public static let badCopyFileFormat = SQLState(rawValue: "22P04")
    public static let characterNotInRepertoire = SQLState(rawValue: "22021")
    public static let raiseException = SQLState(rawValue: "P0001")
    public static let queryCanceled = SQLState(rawValue: "57014")
    public static let adminShutdown = SQLState(rawValue: "57P01")
    public static let insufficientPrivilege = SQLState(rawValue: "42501")
    public static let objectNotInPrerequisiteState = SQLState(rawValue: "55000")
    public static let undefinedFunction = SQLState(rawValue: "42883")
}
