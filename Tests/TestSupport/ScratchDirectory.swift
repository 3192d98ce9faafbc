import Foundation

/// Runs `body` with a fresh, empty directory of its own under the temporary directory, and removes the
/// directory and everything in it afterwards, whatever `body` does.
public func withScratchDirectory<T>(_ body: (URL) throws -> T) throws -> T {
    let directory = try makeScratchDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    return try body(directory)
}

/// As `withScratchDirectory`, for an asynchronous body.
public func withScratchDirectory<T>(_ body: (URL) async throws -> T) async throws -> T {
    let directory = try makeScratchDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    return try await body(directory)
}

/// A new, empty directory under the temporary directory, named uniquely.
private func makeScratchDirectory() throws -> URL {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pledgewatch-test-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    return directory
}
