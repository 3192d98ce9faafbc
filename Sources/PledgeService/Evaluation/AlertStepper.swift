import Foundation
import PledgeCore
import PledgeStore

/// What alert steps write: new states, history, notifications to send and to log, and the changes to report.
struct AlertWrites: Sendable {
    /// A notification for the log notifier (every one, silenced or not).
    struct Notice: Sendable {
        let alert: AlertRepository.StoredAlert
        let notification: AlertStateMachine.Notification
        let silenced: Bool
    }

    /// New states: of alerts not stored yet, then of stored ones.
    var inserts: [AlertRepository.StoredAlert] = []
    var updates: [AlertRepository.StoredAlert] = []
    var transitions: [AlertRepository.Transition] = []
    var notifications: [(AlertRepository.StoredAlert, AlertStateMachine.Notification)] = []
    var notices: [Notice] = []
    var changes: [EvaluationReport.Change] = []

    mutating func append(_ other: AlertWrites) {
        inserts += other.inserts
        updates += other.updates
        transitions += other.transitions
        notifications += other.notifications
        notices += other.notices
        changes += other.changes
    }
}

/// One evaluation's alert decisions for one pledge at a time: a pure function of the assessment, the
/// alerts as the run found them, the silences in force and the run's clock — so it runs on the assessing
/// cores, and the connection's thread only writes what it decided.
struct AlertStepper: Sendable {
    let machine: AlertStateMachine
    /// Wall-clock time of the run (startsAt/endsAt of alerts).
    let now: Date
    /// The alerts as the run found them, by "pledge/rule".
    let stored: [String: AlertRepository.StoredAlert]
    /// Silences in force, by pledge: id and rule (nil: every rule), oldest first.
    let silences: [String: [(id: Int, rule: String?)]]

    /// Steps each rule's alert for one pledge; collects only what changed.
    func step(pledge: Pledge, assessment: Assessment, into writes: inout AlertWrites) {
        let silences = self.silences[pledge.publicID] ?? []
        for rule in AlertRule.allCases {
            let active = assessment.status == rule.status
            let key = "\(pledge.publicID)/\(rule.rawValue)"
            guard active || stored[key] != nil else { continue }
            let labels = rule.labels(pledgeID: pledge.publicID, donor: pledge.donor)
            var alert = stored[key] ?? AlertRepository.StoredAlert(
                fingerprint: AlertRule.fingerprint(labels), pledgeID: pledge.publicID, rule: rule,
                machine: .init(), labels: labels, annotations: [:], startsAt: nil, endsAt: nil)
            let before = alert.machine
            let (after, transition) = machine.step(before, active: active)
            let annotations = active ? rule.annotations(assessment, title: pledge.title, unit: pledge.unit.code) : alert.annotations
            // The oldest silence in force covering this rule (or every rule of the pledge).
            let silence = silences.first { $0.rule == nil || $0.rule == rule.rawValue }?.id
            // What the notifiers are told. A firing under a silence is held back, and told at the first
            // evaluation after the silence ends should the alert still fire; a resolved is told exactly when
            // the episode's firing was, silence or not, so the receiver never hears of an end without its
            // start, nor keeps an incident open for ever.
            var notification = transition
            var silencedBy: Int?
            var notified = alert.notified
            switch transition {
            case .firing?:
                silencedBy = silence
                notified = silence == nil
            case .resolved?:
                if !alert.notified {
                    silencedBy = silence
                    if silence == nil { notification = nil }
                }
                notified = false
            case nil:
                // Only while the condition holds: a firing kept up by the damping as it clears is not news.
                if after.state == .firing, active, !alert.notified, silence == nil {
                    notification = .firing
                    notified = true
                }
            }
            // An active alert whose state, labels and text are unchanged needs no write.
            guard after != before || notified != alert.notified
                || (active && (stored[key] == nil || annotations != alert.annotations || labels != alert.labels))
            else {
                continue
            }
            alert.machine = after
            alert.labels = labels
            alert.annotations = annotations
            alert.notified = notified
            if after.state != AlertStateMachine.State.inactive, before.state == AlertStateMachine.State.inactive {
                alert.startsAt = now
                alert.endsAt = nil
            }
            if transition == .resolved { alert.endsAt = now }
            if stored[key] == nil { writes.inserts.append(alert) } else { writes.updates.append(alert) }
            guard after.state != before.state || notification != nil else { continue }
            writes.transitions.append(.init(alert: alert, from: before.state, notification: notification, silencedBy: silencedBy))
            writes.changes.append(.alert(pledgeID: pledge.publicID, rule: rule, from: before.state, to: after.state, notification: notification, silenced: silencedBy != nil, summary: alert.annotations["summary"] ?? ""))
            if let notification {
                writes.notices.append(.init(alert: alert, notification: notification, silenced: silencedBy != nil))
                if silencedBy == nil { writes.notifications.append((alert, notification)) }
            }
        }
    }
}
