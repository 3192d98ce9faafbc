/// Why a request was refused, in terms an administrator can act on. Each case maps to its own exit code.
public enum InputError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A value is malformed or out of range: names the field, the value and what was expected.
    case invalid(field: String, value: String, expected: String)
    /// Something named does not exist.
    case notFound(what: String, id: String)
    /// The request contradicts what is stored (a reused key with another payload, a withdrawn pledge…).
    case conflict(String)
    /// Several rows of an import were bad; every one is listed.
    case invalidRows([RowProblem])

    public var description: String {
        switch self {
        case .invalid(let field, let value, let expected):
            "invalid \(field): \(Self.shorten(value)) (expected \(expected))"
        case .notFound(let what, let id):
            "no \(what) \(Self.shorten(id))"
        case .conflict(let message):
            message
        case .invalidRows(let rows):
            "\(rows.count) bad row\(rows.count == 1 ? "" : "s"), nothing imported:\n"
                + rows.map { "  line \($0.line): \(FreeText.visible($0.reason))" }.joined(separator: "\n")
        }
    }

    /// Long values are cut in messages (a 100 KB string must not flood a terminal), and what a terminal
    /// would act on rather than print (an escape sequence, a carriage return) is written as `\u{1B}`.
    static func shorten(_ value: String) -> String {
        value.count > 80
            ? "\"\(FreeText.visible(String(value.prefix(77))))…\" (\(value.count) characters)" : "\"\(FreeText.visible(value))\""
    }
}

/// One bad row of an import.
public struct RowProblem: Error, Equatable, Sendable {
    public let line: Int
    public let reason: String
    public init(line: Int, reason: String) {
        self.line = line
        self.reason = reason
    }
}
