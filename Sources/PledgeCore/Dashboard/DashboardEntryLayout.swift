import Foundation

/// A pledge entry and an alert written field by field, keys in the encoder's order (UTF-8 bytes). A field
/// added to one of these types and not written here makes the stream encoder's property tests fail: they
/// compare with `JSONEncoder`'s rendering of the whole document.
extension JSONByteWriter {
    mutating func write(_ entry: DashboardDocument.PledgeEntry) throws {
        openObject()
        field("announcedOn"); try string(entry.announcedOn)
        field("assessment")
        switch entry.assessment {
        case .summary(let summary): try write(summary)
        case .stored(let stored): try json(stored.json)
        }
        field("assessmentSource"); try string(entry.assessmentSource)
        field("category"); try string(entry.category)
        field("commitment"); try string(entry.commitment)
        field("countsFrom"); try string(entry.countsFrom)
        field("currentTerms"); try write(entry.currentTerms)
        field("donor"); try string(entry.donor)
        field("id"); try string(entry.id)
        field("openAlerts"); try strings(entry.openAlerts)
        field("originalTerms"); try write(entry.originalTerms)
        field("recipient"); try string(entry.recipient)
        field("source"); try string(entry.source)
        field("status"); try string(entry.status)
        field("timeline"); try write(entry.timeline)
        field("title"); try string(entry.title)
        field("unit"); try string(entry.unit)
        field("unitKind"); try string(entry.unitKind)
        closeObject()
    }

    mutating func write(_ alert: DashboardDocument.AlertEntry) throws {
        openObject()
        field("annotations"); try dictionary(alert.annotations)
        field("endsAt"); try string(alert.endsAt)
        field("fingerprint"); try string(alert.fingerprint)
        field("generatorURL"); try string(alert.generatorURL)
        field("labels"); try dictionary(alert.labels)
        field("silenced"); bool(alert.silenced)
        field("startsAt"); try string(alert.startsAt)
        field("status"); try string(alert.status)
        closeObject()
    }

    mutating func write(_ summary: AssessmentSummary) throws {
        openObject()
        field("alternatives"); try dictionary(summary.alternatives)
        field("asOf"); try string(summary.asOf)
        field("completion")
        openObject()
        field("p10"); try string(summary.completion.p10)
        field("p50"); try string(summary.completion.p50)
        field("p90"); try string(summary.completion.p90)
        closeObject()
        field("daysLeft"); int(summary.daysLeft)
        field("deadline"); try string(summary.deadline)
        field("delivered"); try string(summary.delivered)
        field("grade"); try string(summary.grade)
        field("gradeReasons"); try strings(summary.gradeReasons)
        field("method"); try string(summary.method)
        field("observations"); int(summary.observations)
        field("observedRatePerDay"); try string(summary.observedRatePerDay)
        field("paceRatio"); try double(summary.paceRatio)
        field("percent"); try string(summary.percent)
        field("pledge"); try string(summary.pledge)
        field("probabilityOnTime"); try double(summary.probabilityOnTime)
        field("projectedTotalAtDeadline")
        openObject()
        field("p10"); try string(summary.projectedTotalAtDeadline.p10)
        field("p50"); try string(summary.projectedTotalAtDeadline.p50)
        field("p90"); try string(summary.projectedTotalAtDeadline.p90)
        closeObject()
        field("remaining"); try string(summary.remaining)
        field("requiredRatePerDay"); try string(summary.requiredRatePerDay)
        field("shortfall"); try string(summary.shortfall)
        field("spanDays"); int(summary.spanDays)
        field("status"); try string(summary.status)
        field("statusReason"); try string(summary.statusReason)
        field("target"); try string(summary.target)
        closeObject()
    }

    private mutating func write(_ terms: DashboardDocument.Terms) throws {
        openObject()
        field("deadline"); try string(terms.deadline)
        field("effectiveOn"); try string(terms.effectiveOn)
        field("revision"); int(terms.revision)
        field("target"); try string(terms.target)
        closeObject()
    }

    /// The burn-up points: most of an entry's bytes, all objects of the same fields.
    private mutating func write(_ timeline: [DashboardDocument.TimelinePoint]) throws {
        openList()
        let point = uniformObjects(fields: ["assumed", "cumulative", "date"])
        for value in timeline {
            field(0, of: point); bool(value.assumed)
            field(1, of: point); string(value.cumulative)
            field(2, of: point); string(value.date)
            close(point)
        }
        closeList()
    }
}
