/// Waits until `condition` holds, checking up to `attempts` times `every` apart; says whether it did. A
/// bounded wait for something another process does, not a sleep standing in for synchronisation.
public func eventually(attempts: Int = 150, every: Duration = .milliseconds(200), _ condition: () throws -> Bool) async throws -> Bool {
    for _ in 0..<attempts {
        if try condition() { return true }
        try await Task.sleep(for: every)
    }
    return false
}
