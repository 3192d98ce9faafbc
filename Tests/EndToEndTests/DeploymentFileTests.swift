import Foundation
import Testing
import TestSupport

/// Docker cannot run here, so the deployment files are checked for what can go stale: every pledgewatch
/// command they name must exist.
@Suite("deployment files")
struct DeploymentFileTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../..").standardized

    /// Every `pledgewatch …` invocation in docker-compose.yml (exec-form commands and shell strings),
    /// parsed with a real YAML parser (PyYAML).
    static func composeCommands() throws -> [[String]] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "python3", "-c",
            """
            import json, shlex, sys, yaml
            compose = yaml.safe_load(open(sys.argv[1]))
            found = []
            for name, service in compose["services"].items():
                if "image" in service and service["image"].startswith("postgres"):
                    continue
                command = service.get("command", [])
                entry = service.get("entrypoint")
                texts = command if isinstance(command, list) else [command]
                if entry and entry[0] == "/bin/sh":
                    for text in texts:
                        for part in text.replace(";", "&&").split("&&"):
                            words = shlex.split(part.strip())
                            while words and words[0] in ("do", "then", "else"):
                                words = words[1:]
                            if words and words[0] == "pledgewatch":
                                found.append(words[1:])
                else:
                    found.append(list(texts))
            print(json.dumps(found))
            """,
            Self.root.appendingPathComponent("docker-compose.yml").path,
        ]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw TestSetupError(message: "docker-compose.yml did not parse") }
        return try JSONDecoder().decode([[String]].self, from: data)
    }

    @Test("docker-compose.yml parses, and every pledgewatch command it names exists with the options it uses")
    func composeCommandsExist() throws {
        let commands = try Self.composeCommands()
        #expect(commands.contains { $0.first == "migrate" })
        #expect(commands.contains { $0.first == "serve" })
        #expect(commands.contains { $0.first == "evaluate" })
        #expect(commands.contains { $0.first == "export" })
        for command in commands {
            // The command's own options, checked by the real parser: `--help` after them must succeed.
            let result = try Pledgewatch.run(command + ["--help"])
            #expect(result.status == 0, "pledgewatch \(command.joined(separator: " ")): \(result.stderr)")
        }
    }

    @Test("the Dockerfile builds the pledgewatch product on a runtime image with libpq")
    func dockerfile() throws {
        let text = try String(contentsOf: Self.root.appendingPathComponent("Dockerfile"), encoding: .utf8)
        #expect(text.contains("--product pledgewatch"))
        #expect(text.contains("libpq5"))
        #expect(text.components(separatedBy: "\nFROM ").count + (text.hasPrefix("FROM ") ? 1 : 0) >= 2, "multi-stage")
    }
}
