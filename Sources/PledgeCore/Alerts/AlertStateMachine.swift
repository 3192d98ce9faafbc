/// Alertmanager's lifecycle, counted in evaluations: inactive → pending (condition true, held for fewer
/// than `forEvaluations`) → firing; a firing alert resolves after its condition has been false for
/// `keepFiringForEvaluations` consecutive evaluations (damping flaps). "resolved" is a notification, not a
/// state: the alert goes back to inactive.
public struct AlertStateMachine: Sendable, Equatable, Codable {
    public enum State: String, Sendable, Codable { case inactive, pending, firing }

    /// The notification a transition sends, if any.
    public enum Notification: String, Sendable, Codable { case firing, resolved }

    public struct Alert: Sendable, Equatable, Codable {
        public var state: State
        /// Consecutive evaluations with the condition true.
        public var activeCount: Int
        /// Consecutive evaluations with the condition false while firing.
        public var inactiveCount: Int

        public init(state: State = .inactive, activeCount: Int = 0, inactiveCount: Int = 0) {
            self.state = state
            self.activeCount = activeCount
            self.inactiveCount = inactiveCount
        }
    }

    public var forEvaluations: Int = 2
    public var keepFiringForEvaluations: Int = 2

    public init(forEvaluations: Int = 2, keepFiringForEvaluations: Int = 2) {
        self.forEvaluations = max(1, forEvaluations)
        self.keepFiringForEvaluations = max(1, keepFiringForEvaluations)
    }

    /// The alert after one evaluation in which its condition was `active`, and what to announce.
    public func step(_ alert: Alert, active: Bool) -> (Alert, Notification?) {
        switch (alert.state, active) {
        case (.inactive, true), (.pending, true):
            let count = alert.activeCount + 1
            if count >= forEvaluations { return (Alert(state: .firing, activeCount: count, inactiveCount: 0), .firing) }
            return (Alert(state: .pending, activeCount: count, inactiveCount: 0), nil)
        case (.inactive, false), (.pending, false):
            return (Alert(), nil)
        case (.firing, true):
            return (Alert(state: .firing, activeCount: alert.activeCount + 1, inactiveCount: 0), nil)
        case (.firing, false):
            let count = alert.inactiveCount + 1
            if count >= keepFiringForEvaluations { return (Alert(), .resolved) }
            return (Alert(state: .firing, activeCount: alert.activeCount, inactiveCount: count), nil)
        }
    }
}
