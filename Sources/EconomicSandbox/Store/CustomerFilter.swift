import Foundation

/// A parsed `filter=` expression (economic-api.md §2).
///
/// Grammar, as implemented:
/// ```
/// filter    := and ( "$or:" and )*
/// and       := primary ( "$and:" primary )*          ($and binds tighter than $or)
/// primary   := "(" filter ")" | condition
/// condition := field "$" operator ":" value
/// operator  := eq | ne | gt | gte | lt | lte | like | in | nin
/// value     := "$null:" | chars                       (for in/nin: "[" item ("," item)* "]", item := number | "$null:")
/// chars     := any character but ( ) , [ ] * $  |  "$" followed by one of $ ( ) * , [ ]  |  "*" (a wildcard in $like)
/// ```
/// String comparison is case-insensitive. `$like` without `*` means "contains"; with `*` the pattern is anchored.
indirect enum CustomerFilter: Sendable, Equatable {
    case condition(Condition)
    case and(CustomerFilter, CustomerFilter)
    case or(CustomerFilter, CustomerFilter)

    enum Operator: String, Sendable, CaseIterable {
        case eq, ne, gt, gte, lt, lte, like, `in`, nin
    }

    enum PatternPiece: Sendable, Equatable {
        case character(Character)
        case wildcard
    }

    enum Value: Sendable, Equatable {
        case null
        case pattern([PatternPiece])
        case list([Double?])

        /// The value with wildcards read as literal stars.
        var text: String {
            guard case .pattern(let pieces) = self else { return "" }
            return String(pieces.map { if case .character(let c) = $0 { c } else { "*" } })
        }
    }

    struct Condition: Sendable, Equatable {
        let field: CustomerField
        let op: Operator
        let value: Value
        /// The value's text and pattern lowercased once, not for every customer a list compares (a list scans them all).
        let foldedText: String
        let foldedPattern: [PatternPiece]

        init(field: CustomerField, op: Operator, value: Value) {
            self.field = field
            self.op = op
            self.value = value
            foldedText = value.text.lowercased()
            guard case .pattern(let pieces) = value else {
                foldedPattern = []
                return
            }
            foldedPattern = pieces.map { piece in
                if case .character(let c) = piece { return .character(Character(String(c).lowercased())) }
                return piece
            }
        }
    }

    /// A filter that cannot be parsed or used; the message says what and where.
    struct ParseError: Error, Equatable {
        var message: String
    }

    /// The characters that `$` escapes.
    static let escapable: Set<Character> = ["$", "(", ")", "*", ",", "[", "]"]
    /// `$in`/`$nin` accept at most this many values.
    static let maxListItems = 200

    static func parse(_ text: String) throws(ParseError) -> CustomerFilter {
        var parser = Parser(characters: Array(text))
        let filter = try parser.parseOr()
        guard parser.atEnd else {
            throw ParseError(message: "Unexpected '\(parser.characters[parser.index])' at position \(parser.index + 1).")
        }
        return filter
    }

    func matches(_ customer: SandboxCustomer) -> Bool {
        switch self {
        case .and(let lhs, let rhs): lhs.matches(customer) && rhs.matches(customer)
        case .or(let lhs, let rhs): lhs.matches(customer) || rhs.matches(customer)
        case .condition(let condition): condition.matches(customer)
        }
    }
}

// MARK: - Parsing

private struct Parser {
    let characters: [Character]
    var index = 0

    var atEnd: Bool { index >= characters.count }

    func lookingAt(_ literal: String) -> Bool {
        let literal = Array(literal)
        guard index + literal.count <= characters.count else { return false }
        return Array(characters[index..<index + literal.count]) == literal
    }

    mutating func parseOr() throws(CustomerFilter.ParseError) -> CustomerFilter {
        var result = try parseAnd()
        while lookingAt("$or:") {
            index += 4
            result = .or(result, try parseAnd())
        }
        return result
    }

    mutating func parseAnd() throws(CustomerFilter.ParseError) -> CustomerFilter {
        var result = try parsePrimary()
        while lookingAt("$and:") {
            index += 5
            result = .and(result, try parsePrimary())
        }
        return result
    }

    mutating func parsePrimary() throws(CustomerFilter.ParseError) -> CustomerFilter {
        if lookingAt("(") {
            index += 1
            let inner = try parseOr()
            guard lookingAt(")") else { throw .init(message: "Missing ')' at position \(index + 1).") }
            index += 1
            return inner
        }
        return .condition(try parseCondition())
    }

    mutating func parseCondition() throws(CustomerFilter.ParseError) -> CustomerFilter.Condition {
        let start = index
        while !atEnd, characters[index] != "$" { index += 1 }
        let name = String(characters[start..<index])
        guard !name.isEmpty else { throw .init(message: "Expected a property name at position \(start + 1).") }
        guard let field = CustomerField(rawValue: name) ?? CustomerField.caseInsensitive(name) else {
            throw .init(message: "'\(name)' is not a property of a customer.")
        }
        guard field.isFilterable else { throw .init(message: "Filtering on '\(name)' is not allowed.") }
        guard !atEnd else { throw .init(message: "Expected an operator after '\(name)'.") }
        index += 1  // "$"
        let opStart = index
        while !atEnd, characters[index] != ":" { index += 1 }
        let opName = String(characters[opStart..<index]).lowercased()
        guard !atEnd, let op = CustomerFilter.Operator(rawValue: opName) else {
            throw .init(message: "Unknown operator '$\(opName)' after '\(name)'.")
        }
        index += 1  // ":"
        let value: CustomerFilter.Value
        switch op {
        case .in, .nin: value = try parseList()
        default: value = try parseValue()
        }
        let condition = CustomerFilter.Condition(field: field, op: op, value: value)
        try condition.check()
        return condition
    }

    mutating func parseValue() throws(CustomerFilter.ParseError) -> CustomerFilter.Value {
        if lookingAt("$null:") {
            index += 6
            return .null
        }
        var pieces: [CustomerFilter.PatternPiece] = []
        while !atEnd {
            let c = characters[index]
            if c == "$" {
                if lookingAt("$and:") || lookingAt("$or:") { break }
                guard index + 1 < characters.count, CustomerFilter.escapable.contains(characters[index + 1]) else {
                    throw .init(message: "'$' at position \(index + 1) must be followed by one of $ ( ) * , [ ] or start $and: / $or:.")
                }
                pieces.append(.character(characters[index + 1]))
                index += 2
            } else if c == ")" {
                break
            } else if c == "*" {
                pieces.append(.wildcard)
                index += 1
            } else if c == "(" || c == "," || c == "[" || c == "]" {
                throw .init(message: "'\(c)' at position \(index + 1) must be escaped as '$\(c)'.")
            } else {
                pieces.append(.character(c))
                index += 1
            }
        }
        return .pattern(pieces)
    }

    mutating func parseList() throws(CustomerFilter.ParseError) -> CustomerFilter.Value {
        guard lookingAt("[") else { throw .init(message: "$in and $nin take a list like [1,2,3] at position \(index + 1).") }
        index += 1
        var items: [Double?] = []
        var current = ""
        func finishItem(_ current: String) throws(CustomerFilter.ParseError) {
            if current == "$null:" {
                items.append(nil)
            } else if let number = Double(current.trimmingCharacters(in: .whitespaces)) {
                items.append(number)
            } else {
                throw .init(message: "$in and $nin take numbers only; '\(current)' is not a number.")
            }
        }
        while !atEnd {
            let c = characters[index]
            index += 1
            if c == "]" {
                try finishItem(current)
                guard items.count <= CustomerFilter.maxListItems else {
                    throw .init(message: "$in and $nin take at most \(CustomerFilter.maxListItems) values; got \(items.count).")
                }
                return .list(items)
            } else if c == "," {
                try finishItem(current)
                current = ""
            } else {
                current.append(c)
            }
        }
        throw .init(message: "Missing ']' to close the list.")
    }
}

// MARK: - Checking and matching

extension CustomerFilter.Condition {
    /// Rejects operator/value combinations that cannot be evaluated for the field.
    func check() throws(CustomerFilter.ParseError) {
        let name = field.rawValue
        switch (op, value) {
        case (.in, _), (.nin, _):
            guard field.kind == .number else { throw .init(message: "$\(op.rawValue) works on numeric properties only, not '\(name)'.") }
        case (.eq, .null), (.ne, .null):
            return
        case (_, .null):
            throw .init(message: "$null: can only be used with $eq, $ne, $in and $nin.")
        case (.like, _):
            guard field.kind == .string else { throw .init(message: "$like works on text properties only, not '\(name)'.") }
        default:
            break
        }
        switch field.kind {
        case .number:
            if case .pattern = value, Double(value.text) == nil {
                throw .init(message: "'\(value.text)' is not a number (property '\(name)').")
            }
        case .bool:
            guard op == .eq || op == .ne else { throw .init(message: "'\(name)' supports $eq and $ne only.") }
            if case .pattern = value, !["true", "false"].contains(value.text.lowercased()) {
                throw .init(message: "'\(name)' takes true or false.")
            }
        case .date:
            if case .pattern = value, SandboxTime.parse(value.text) == nil {
                throw .init(message: "'\(value.text)' is not a date like 2019-01-13T11:22:22Z (property '\(name)').")
            }
        case .string:
            break
        }
    }

    func matches(_ customer: SandboxCustomer) -> Bool {
        let fieldValue = field.value(of: customer)
        switch value {
        case .null:
            let isNull = fieldValue == nil
            return op == .eq ? isNull : !isNull
        case .list(let items):
            let contained: Bool
            if case .number(let n) = fieldValue {
                contained = items.contains(n)
            } else {
                contained = items.contains(nil)
            }
            return op == .in ? contained : !contained
        case .pattern:
            guard let fieldValue else { return op == .ne }
            switch fieldValue {
            case .string(let s):
                let lhs = s.lowercased()
                let rhs = foldedText
                switch op {
                case .eq: return lhs == rhs
                case .ne: return lhs != rhs
                case .gt: return lhs > rhs
                case .gte: return lhs >= rhs
                case .lt: return lhs < rhs
                case .lte: return lhs <= rhs
                case .like: return Self.like(lhs, foldedPattern)
                case .in, .nin: return false
                }
            case .number(let n):
                return Self.compare(n, Double(value.text) ?? .nan, op)
            case .date(let d):
                let rhs = SandboxTime.parse(value.text)?.timeIntervalSince1970 ?? .nan
                return Self.compare(d.timeIntervalSince1970, rhs, op)
            case .bool(let b):
                let rhs = foldedText == "true"
                return op == .eq ? b == rhs : b != rhs
            }
        }
    }

    private static func compare(_ lhs: Double, _ rhs: Double, _ op: CustomerFilter.Operator) -> Bool {
        switch op {
        case .eq: lhs == rhs
        case .ne: lhs != rhs
        case .gt: lhs > rhs
        case .gte: lhs >= rhs
        case .lt: lhs < rhs
        case .lte: lhs <= rhs
        case .like, .in, .nin: false
        }
    }

    /// `$like`: without a wildcard the value must occur somewhere; with one, the pattern must match the whole text.
    /// - Parameter pattern: the pattern, lowercased (as `text` is).
    private static func like(_ text: String, _ pattern: [CustomerFilter.PatternPiece]) -> Bool {
        guard pattern.contains(.wildcard) else {
            let needle = String(pattern.map { if case .character(let c) = $0 { c } else { "*" } })
            return needle.isEmpty || text.contains(needle)
        }
        return glob(Array(text), pattern)
    }

    private static func glob(_ text: [Character], _ pattern: [CustomerFilter.PatternPiece]) -> Bool {
        // Classic two-pointer wildcard match with backtracking to the last '*'.
        var t = 0
        var p = 0
        var starP = -1
        var starT = 0
        while t < text.count {
            if p < pattern.count, case .character(let c) = pattern[p], c == text[t] {
                t += 1
                p += 1
            } else if p < pattern.count, pattern[p] == .wildcard {
                starP = p
                starT = t
                p += 1
            } else if starP >= 0 {
                p = starP + 1
                starT += 1
                t = starT
            } else {
                return false
            }
        }
        while p < pattern.count, pattern[p] == .wildcard { p += 1 }
        return p == pattern.count
    }
}
