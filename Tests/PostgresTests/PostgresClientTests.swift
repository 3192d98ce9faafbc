import Foundation
import Postgres
import Testing
import TestSupport

@Suite("sharing connections across tasks")
struct PostgresClientTests {
    @Test("50 concurrent tasks through a pool of 4 all get their own correct answers")
    func concurrentTasks() async throws {
        try await ScratchDatabase.with(migrated: false) { database in
            let client = PostgresClient(configuration: database.configuration, maxConnections: 4)
            defer { client.close() }
            let results = try await withThrowingTaskGroup(of: (Int, Int).self) { group in
                for i in 0..<50 {
                    group.addTask {
                        let value = try await client.withConnection { connection in
                            try connection.query("SELECT \(i) * \(i), pg_sleep(0.01)").first!.decode(Int.self, at: 0)
                        }
                        return (i, value)
                    }
                }
                return try await group.reduce(into: [:]) { $0[$1.0] = $1.1 }
            }
            #expect(results.count == 50)
            #expect(results.allSatisfy { $0.value == $0.key * $0.key })
            #expect(client.openConnections <= 4)
        }
    }

    @Test("a dropped connection is reported as connectionLost and replaced for the next caller")
    func droppedConnectionIsReplaced() async throws {
        try await ScratchDatabase.with(migrated: false) { database in
            let client = PostgresClient(configuration: database.configuration, maxConnections: 1)
            defer { client.close() }
            let firstPID = try await client.withConnection { $0.backendPID }
            let admin = try database.connect()
            try admin.query("SELECT pg_terminate_backend(\(firstPID))")
            let error = await #expect(throws: PostgresError.self) {
                try await client.query("SELECT 1")
            }
            #expect(error?.code == .connectionLost)
            let secondPID = try await client.withConnection { $0.backendPID }
            #expect(secondPID != firstPID)
            #expect(try await client.query("SELECT \(7)").scalar(Int.self) == 7)
        }
    }
}
