public import Foundation

/// One numbered SQL file from `db/migrations`, e.g. `0002_events.sql`.
public struct Migration: Sendable, Hashable {
    /// The number (`2` for `0002_events.sql`).
    public var version: Int
    /// The name after the number (`events`).
    public var name: String
    /// The file's SQL text.
    public var sql: String

    /// The file name, e.g. `0002_events.sql`.
    public var fileName: String {
        let digits = String(version)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits + "_" + name + ".sql"
    }

    /// Makes a migration.
    public init(version: Int, name: String, sql: String) {
        self.version = version
        self.name = name
        self.sql = sql
    }

    /// Reads every `NNNN_name.sql` file of a directory, ordered by number. Other files (a README) are ignored.
    /// - Throws: ``MigrationError`` for a badly named `.sql` file, a duplicate number or an unreadable file.
    public static func load(from directory: URL) throws -> [Migration] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        } catch {
            throw MigrationError(code: .directoryUnreadable, message: "cannot list migrations in \(directory.path): \(error.localizedDescription)")
        }
        var migrations: [Migration] = []
        for fileName in names.sorted() where fileName.hasSuffix(".sql") {
            let stem = fileName.dropLast(4)
            let parts = stem.split(separator: "_", maxSplits: 1)
            guard parts.count == 2, parts[0].count == 4, let version = Int(parts[0]), version > 0,
                parts[1].allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "_") })
            else {
                throw MigrationError(
                    code: .badFileName, message: "migration file \(fileName) must be named NNNN_lower_case_name.sql (e.g. 0004_partner_links.sql)")
            }
            if let clash = migrations.first(where: { $0.version == version }) {
                throw MigrationError(code: .duplicateVersion, message: "migrations \(clash.fileName) and \(fileName) share the number \(version)")
            }
            let sql: String
            do {
                sql = try String(contentsOf: directory.appendingPathComponent(fileName), encoding: .utf8)
            } catch {
                throw MigrationError(code: .directoryUnreadable, message: "cannot read \(fileName): \(error.localizedDescription)")
            }
            migrations.append(Migration(version: version, name: String(parts[1]), sql: sql))
        }
        return migrations.sorted { $0.version < $1.version }
    }
}
