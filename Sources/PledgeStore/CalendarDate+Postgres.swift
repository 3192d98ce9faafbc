import PledgeCore
import Postgres

/// Domain values travel to and from PostgreSQL as bound parameters.
extension CalendarDate: PostgresEncodable, PostgresDecodable {
    public static var postgresTypeOID: UInt32 { PostgresTypeOID.date }
    public var postgresText: String? { description }
    public init?(postgresText: String) { self.init(iso: postgresText) }
}
