/// What a pledge is measured in: a count unit (rounds, troops, vehicles) or an ISO 4217 currency.
public enum PledgeUnit: Sendable, Hashable, Codable, CustomStringConvertible {
    case count(String)
    case currency(String)

    /// `rounds`, `troops` (lowercase letters and `_`) or `EUR`, `USD` (three capitals).
    public static func parse(_ text: String, field: String = "unit") throws(InputError) -> PledgeUnit {
        let scalars = Array(text.unicodeScalars)
        if scalars.count == 3, scalars.allSatisfy({ ("A"..."Z").contains($0) }) { return .currency(text) }
        if (1...32).contains(scalars.count), let first = scalars.first, ("a"..."z").contains(first),
            scalars.allSatisfy({ ("a"..."z").contains($0) || $0 == "_" })
        {
            return .count(text)
        }
        throw .invalid(
            field: field, value: text,
            expected: "a count unit in lowercase (rounds, troops, vehicles) or an ISO 4217 currency code (EUR, USD)")
    }

    /// Decimal places a quantity may have: whole items, or cents.
    public var scale: Int {
        switch self {
        case .count: 0
        case .currency: 2
        }
    }

    public var code: String {
        switch self {
        case .count(let name), .currency(let name): name
        }
    }

    public var isCurrency: Bool {
        if case .currency = self { return true }
        return false
    }

    public var description: String { code }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        do { self = try PledgeUnit.parse(text) } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.description))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(code)
    }
}
