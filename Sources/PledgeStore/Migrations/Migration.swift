/// One forward-only schema file, carried inside the binary.
public struct Migration: Sendable, Equatable {
    /// The file name in `Schema/` (`0001_ledger.sql`); the order of application.
    public let name: String
    /// The file's SQL text.
    public let sql: String

    public init(name: String, sql: String) {
        self.name = name
        self.sql = sql
    }

    /// Every file of `Schema/*.sql`, in order. SwiftPM's embedded resources cannot be enumerated at run
    /// time, so this list is kept by hand; a test fails when a file in `Schema/` is missing from it.
    public static let all: [Migration] = [
        Migration(name: "0001_ledger.sql", sql: String(decoding: PackageResources._001_ledger_sql, as: UTF8.self)),
        Migration(
            name: "0002_assessments_alerts.sql",
            sql: String(decoding: PackageResources._002_assessments_alerts_sql, as: UTF8.self)),
        Migration(
            name: "0003_lookup_indexes.sql", sql: String(decoding: PackageResources._003_lookup_indexes_sql, as: UTF8.self)),
        Migration(
            name: "0004_timeline_covering_index.sql",
            sql: String(decoding: PackageResources._004_timeline_covering_index_sql, as: UTF8.self)),
        Migration(
            name: "0005_alert_pledge_index.sql", sql: String(decoding: PackageResources._005_alert_pledge_index_sql, as: UTF8.self)),
        Migration(
            name: "0006_alert_history_checked_at_commit.sql",
            sql: String(decoding: PackageResources._006_alert_history_checked_at_commit_sql, as: UTF8.self)),
        Migration(name: "0007_assessment_inputs.sql", sql: String(decoding: PackageResources._007_assessment_inputs_sql, as: UTF8.self)),
        Migration(
            name: "0008_alert_notified_outbox_order.sql",
            sql: String(decoding: PackageResources._008_alert_notified_outbox_order_sql, as: UTF8.self)),
        Migration(
            name: "0009_leaner_evaluation_writes.sql",
            sql: String(decoding: PackageResources._009_leaner_evaluation_writes_sql, as: UTF8.self)),
        Migration(
            name: "0010_ledger_revision_and_burnup.sql",
            sql: String(decoding: PackageResources._010_ledger_revision_and_burnup_sql, as: UTF8.self)),
    ]
}
