import SyncDomain

/// Limits for customer files.
public struct CustomerFileLimits: Sendable, Hashable {
    /// A row (record) larger than this many bytes is malformed. Default 64 KiB.
    public var maxRowBytes: Int
    /// The most columns a header may have. Default 200.
    public var maxColumns: Int
    /// The longest value, in characters, per source key. Keys not listed use ``maxOtherLength``.
    /// Defaults follow e-conomic's customer fields (name 255, zip 30, city 50, CVR 40) and Stripe's
    /// metadata values (500).
    public var maxLength: [String: Int]
    /// The longest value for keys not in ``maxLength`` (metadata columns). Default 500.
    public var maxOtherLength: Int

    /// The defaults.
    public init(
        maxRowBytes: Int = 64 * 1024,
        maxColumns: Int = 200,
        maxLength: [String: Int] = [
            "customer_number": 40, "name": 255, "email": 255, "phone": 255, "address.line1": 255, "address.line2": 255,
            "address.postal_code": 30, "address.city": 50, "address.state": 50, "address.country": 60, "tax_id": 40,
            "currency": 3, "description": 1000,
        ],
        maxOtherLength: Int = 500
    ) {
        self.maxRowBytes = maxRowBytes
        self.maxColumns = maxColumns
        self.maxLength = maxLength
        self.maxOtherLength = maxOtherLength
    }

    /// The longest allowed value for `key`.
    public func maxLength(forKey key: String) -> Int {
        maxLength[key] ?? maxOtherLength
    }
}

/// The pure rules a customer row must pass, and the normalisation applied to its values.
///
/// - `customer_number` is required. A numeric one (digits only) must lie in e-conomic's 1…999 999 999 and is
///   normalised without leading zeros. A non-numeric one (e.g. `C-1001`) is accepted as the file-side key:
///   such a customer can still be matched and partnered, but its number cannot be given to e-conomic
///   (that is decided where partners are created, not here).
/// - `email`, when present, has one `@`, a non-empty local part, a domain with a dot, and no spaces.
/// - `address.country`, when present, is an ISO 3166-1 alpha-2 code or a country name we know (English,
///   Danish, a few alpha-3 codes); it is normalised to the upper-case alpha-2 code.
/// - `currency`, when present, is three letters (normalised to upper case).
/// - Every value is at most ``CustomerFileLimits/maxLength(forKey:)`` characters.
public enum CustomerRowRules {
    /// Largest e-conomic customer number.
    public static let maxCustomerNumber = 999_999_999

    /// Checks and normalises one row's fields (already keyed by source key, trimmed, empty ones left out).
    /// - Parameters:
    ///   - fields: source key → value.
    ///   - columnNames: source key → the header as written in the file, for naming columns in problems.
    ///   - limits: the length limits.
    /// - Returns: the normalised fields, and the problems (empty when the row is good).
    public static func validate(
        _ fields: [String: String], columnNames: [String: String] = [:], limits: CustomerFileLimits = CustomerFileLimits()
    ) -> (fields: [String: String], problems: [CustomerFileProblem]) {
        var fields = fields
        var problems: [CustomerFileProblem] = []
        func problem(_ key: String, _ reason: CustomerFileProblem.Reason, _ value: String?) {
            problems.append(CustomerFileProblem(column: columnNames[key] ?? key, key: key, reason: reason, value: value))
        }

        let numberKey = CustomerFileColumns.customerNumberKey
        if let number = fields[numberKey] {
            switch checkCustomerNumber(number) {
            case .valid(let normalised): fields[numberKey] = normalised
            case .invalid(let reason): problem(numberKey, reason, number)
            }
        } else {
            problem(numberKey, .missingCustomerNumber, nil)
        }
        if let email = fields["email"], !isEmailShaped(email) {
            problem("email", .invalidEmail, email)
        }
        if let country = fields["address.country"] {
            if let code = countryCode(for: country) {
                fields["address.country"] = code
            } else {
                problem("address.country", .unknownCountry, country)
            }
        }
        if let currency = fields["currency"] {
            if currency.count == 3, currency.allSatisfy({ $0.isASCII && $0.isLetter }) {
                fields["currency"] = currency.uppercased()
            } else {
                problem("currency", .invalidCurrency, currency)
            }
        }
        var tooLong: [(key: String, value: String, limit: Int)] = []
        for (key, value) in fields {
            let limit = limits.maxLength(forKey: key)
            if value.exceeds(characters: limit), !problems.contains(where: { $0.key == key }) {
                tooLong.append((key, value, limit))
            }
        }
        for (key, value, limit) in tooLong.sorted(by: { $0.key < $1.key }) {
            problem(key, .tooLong(limit: limit), value)
        }
        return (fields, problems)
    }

    /// The outcome of checking a customer number.
    public enum CustomerNumberCheck: Sendable, Hashable {
        /// Accepted, normalised (a numeric one without leading zeros).
        case valid(String)
        /// Refused, with the reason.
        case invalid(CustomerFileProblem.Reason)
    }

    /// The normalised customer number, or why it is refused.
    public static func checkCustomerNumber(_ number: String) -> CustomerNumberCheck {
        guard !number.isEmpty else { return .invalid(.missingCustomerNumber) }
        if number.utf8.contains(where: { $0 < 0x20 || $0 == 0x7F })
            || (!number.utf8.allSatisfy { $0 < 0x80 } && number.unicodeScalars.contains { $0.properties.generalCategory == .control })
        {
            return .invalid(.invalidCustomerNumber)
        }
        guard number.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return .valid(number) }
        let digits = number.drop { $0 == "0" }
        guard !digits.isEmpty, digits.count <= 9, let value = Int(digits), value <= maxCustomerNumber else {
            return .invalid(.customerNumberOutOfRange)
        }
        return .valid(String(value))
    }

    /// Whether `email` looks like one address: `local@domain.tld`, no spaces, one `@`.
    public static func isEmailShaped(_ email: String) -> Bool {
        let bytes = email.utf8
        guard let at = bytes.firstIndex(of: UInt8(ascii: "@")), at != bytes.startIndex else { return false }
        let domain = bytes[bytes.index(after: at)...]
        guard !domain.contains(UInt8(ascii: "@")) else { return false }
        // No spaces, control characters or commas (a list of addresses is not one address).
        guard !bytes.contains(where: { $0 <= 0x20 || $0 == 0x7F || $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: ";") }) else { return false }
        if !bytes.allSatisfy({ $0 < 0x80 }), email.contains(where: { $0.isWhitespace }) { return false }
        let labels = domain.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard labels.count >= 2, labels.allSatisfy({ !$0.isEmpty }) else { return false }
        return labels.last!.count >= 2
    }

    /// The ISO 3166-1 alpha-2 code for a code or name (case-insensitive; see ``CountryTable/lookup(_:)``), or `nil`.
    public static func countryCode(for country: String) -> String? {
        CountryTable.lookup(country)?.code
    }
}
