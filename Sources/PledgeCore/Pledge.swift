import Foundation

/// Military, financial or humanitarian (the Kiel tracker's categories).
public enum PledgeCategory: String, Sendable, Codable, CaseIterable {
    case military, financial, humanitarian

    public static func parse(_ text: String) throws(InputError) -> PledgeCategory {
        guard let value = PledgeCategory(rawValue: text) else {
            throw .invalid(field: "category", value: text, expected: "one of military, financial, humanitarian")
        }
        return value
    }
}

/// Whether a pledge binds its donor yet.
public enum PledgeStatus: String, Sendable, Codable, CaseIterable {
    case proposed, committed, withdrawn

    public static func parse(_ text: String) throws(InputError) -> PledgeStatus {
        guard let value = PledgeStatus(rawValue: text) else {
            throw .invalid(field: "status", value: text, expected: "one of proposed, committed, withdrawn")
        }
        return value
    }
}

/// Target and deadline as of one revision; revision 1 is what was announced.
public struct PledgeTerms: Sendable, Equatable, Codable {
    public var revision: Int
    public var target: Decimal
    public var deadline: CalendarDate
    /// The day the revision took effect (the announcement for revision 1).
    public var effectiveOn: CalendarDate
    public var reason: String
    public var recordedBy: String

    public init(revision: Int, target: Decimal, deadline: CalendarDate, effectiveOn: CalendarDate, reason: String, recordedBy: String) {
        self.revision = revision
        self.target = target
        self.deadline = deadline
        self.effectiveOn = effectiveOn
        self.reason = reason
        self.recordedBy = recordedBy
    }
}

/// A pledge as stored, with its terms' history.
public struct Pledge: Sendable, Equatable, Codable {
    public var publicID: String
    public var donor: String
    public var recipient: String
    public var title: String
    public var category: PledgeCategory
    public var unit: PledgeUnit
    public var announcedOn: CalendarDate
    /// Deliveries count from this day (Germany's €8 bn *for 2024* counts from 2024-01-01).
    public var countsFrom: CalendarDate
    public var status: PledgeStatus
    public var source: String
    public var notes: String
    /// Every revision, oldest first; never empty.
    public var terms: [PledgeTerms]

    public init(
        publicID: String, donor: String, recipient: String, title: String, category: PledgeCategory, unit: PledgeUnit,
        announcedOn: CalendarDate, countsFrom: CalendarDate, status: PledgeStatus, source: String, notes: String,
        terms: [PledgeTerms]
    ) {
        self.publicID = publicID
        self.donor = donor
        self.recipient = recipient
        self.title = title
        self.category = category
        self.unit = unit
        self.announcedOn = announcedOn
        self.countsFrom = countsFrom
        self.status = status
        self.source = source
        self.notes = notes
        self.terms = terms
    }

    /// As announced.
    public var originalTerms: PledgeTerms { terms[0] }
    /// The latest revision.
    public var currentTerms: PledgeTerms { terms[terms.count - 1] }

    /// The terms in force on `date`: the latest revision effective on or before it (the original before any).
    public func terms(on date: CalendarDate) -> PledgeTerms {
        terms.last { $0.effectiveOn <= date } ?? originalTerms
    }
}

/// Validation of public ids: lowercase slugs such as `eu-1m-rounds`.
public enum PledgeID {
    public static func validate(_ text: String, field: String = "pledge id") throws(InputError) -> String {
        let scalars = Array(text.unicodeScalars)
        let allowed: (Unicode.Scalar) -> Bool = { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }
        guard (1...63).contains(scalars.count), scalars.allSatisfy(allowed), scalars[0] != "-" else {
            throw .invalid(field: field, value: text, expected: "a slug of lowercase letters, digits and dashes, such as eu-1m-rounds")
        }
        return text
    }
}
