import ArgumentParser
import Foundation
import PledgeCore
import PledgeService
import PledgeStore
import Postgres

/// Runs a command body, turning every failure into one clear line on stderr and its documented exit code.
enum Failure {
    static let badInput: Int32 = 65
    static let notFound: Int32 = 66
    static let conflict: Int32 = 67
    static let unavailable: Int32 = 69
    static let cannotCreate: Int32 = 73
    static let ioError: Int32 = 74
    static let busy: Int32 = 75
    static let schema: Int32 = 78

    static func guarding<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as ExitCode {
            throw error
        } catch {
            let (message, code) = describe(error)
            try? StandardStream.error.write("pledgewatch: \(shown(message, of: error))\n")
            throw ExitCode(code)
        }
    }

    /// A message as it can be printed: it quotes what it was given (a path, a value, the database's words),
    /// so whatever a terminal would act on rather than print — a line break too, which could pass for a
    /// line of its own — is shown as \u{…}, as InputError shows values. Only a list of bad rows has lines,
    /// each escaped already.
    static func shown(_ message: String, of error: any Error) -> String {
        if case .invalidRows = error as? InputError { return message }
        return FreeText.visible(message)
    }

    static func describe(_ error: any Error) -> (String, Int32) {
        switch error {
        case let error as InputError:
            switch error {
            case .invalid, .invalidRows: return (error.description, badInput)
            case .notFound: return (error.description, notFound)
            case .conflict: return (error.description, conflict)
            }
        case let error as AtomicFileError:
            // sysexits: a missing directory is "not found"; any other refusal to create the file is EX_CANTCREAT.
            return (error.description, error.errno == ENOENT || error.errno == ENOTDIR ? notFound : cannotCreate)
        case let error as ListenError:
            // EX_UNAVAILABLE: the daemon cannot offer its service there (the port taken, say).
            return (error.description, unavailable)
        case let error as SpoolError:
            // EX_CANTCREAT: the temporary copy of an input read once (standard input, a pipe).
            return (error.description, cannotCreate)
        case let error as StandardStream.WriteError:
            // sysexits' EX_IOERR: the work is done (and committed), its report could not be written.
            return (error.description, ioError)
        case let error as EvaluationBusy:
            return (error.description, busy)
        case let error as MigrationError:
            return (error.description, schema)
        case let error as PostgresError where error.code == .invalidConnectionString:
            return (error.message, badInput)
        case let error as PostgresError where error.isConnectionBroken:
            return ("database unavailable: \(error.message)" + (error.hint.map { " (\($0))" } ?? ""), unavailable)
        case let error as PostgresError where error.sqlState == .undefinedTable || error.sqlState == .undefinedFunction:
            return ("the database schema is missing or out of date: run `pledgewatch migrate`", schema)
        case let error as PostgresError:
            // Integrity rules the database enforces are the last line of defence: report them as bad input.
            if error.sqlState?.errorClass == "23" || error.sqlState?.errorClass == "22" {
                return ("refused by the database: \(error.message)" + (error.detail.map { " — \($0)" } ?? ""), badInput)
            }
            return ("database error" + (error.sqlState.map { " \($0.rawValue)" } ?? "") + ": \(error.message)", 1)
        default:
            return ("\(error)", 1)
        }
    }
}
