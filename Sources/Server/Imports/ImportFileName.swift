import Foundation

/// The name an uploaded file is recorded under: its last path component (browsers on some systems send a whole
/// path), without control characters, at most 200 characters; `upload.csv` when none was given.
enum ImportFileName {
    static func clean(_ raw: String?) -> String {
        let last = (raw ?? "").split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? ""
        let printable = String(String.UnicodeScalarView(last.unicodeScalars.filter { !$0.properties.generalCategory.isControl }))
        let trimmed = String(printable.prefix(200)).trimmingCharacters(in: .whitespaces)
        return trimmed.isEmpty ? "upload.csv" : trimmed
    }
}

extension Unicode.GeneralCategory {
    fileprivate var isControl: Bool { self == .control || self == .format }
}
