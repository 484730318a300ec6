/// How a customer file's header names map onto the source vocabulary (`customer_number`, `name`, `email`,
/// `phone`, `address.line1`, `address.line2`, `address.postal_code`, `address.city`, `address.state`,
/// `address.country`, `tax_id`, `currency`, `description`, `metadata.<key>`).
///
/// A header is normalised first: surrounding spaces dropped, lowercased, every run of characters other than
/// letters and digits turned into one `_` (so `E-mail`, `Customer No.`, `CVR-nr.` and `address.line1` become
/// `e_mail`, `customer_no`, `cvr_nr` and `address_line1`). The normalised name is looked up in the alias table
/// (English and Danish); any other named column becomes `metadata.<normalised name>` (a leading `metadata_`
/// is dropped, so `metadata.erp_id` stays `metadata.erp_id`). A column with an empty header is ignored.
public enum CustomerFileColumns {
    /// The key that every row is identified by.
    public static let customerNumberKey = "customer_number"

    /// The source-vocabulary keys a file column can map to, apart from `metadata.*`.
    public static let knownKeys: [String] = [
        customerNumberKey, "name", "email", "phone", "address.line1", "address.line2", "address.postal_code",
        "address.city", "address.state", "address.country", "tax_id", "currency", "description",
    ]

    /// Normalised header → source key. Mobile numbers are deliberately not an alias of `phone`: files often have
    /// both a phone and a mobile column, which would otherwise collide.
    public static let aliases: [String: String] = {
        let table: [String: [String]] = [
            customerNumberKey: [
                "customer_number", "customer_no", "customer_nr", "customernumber", "customerno", "customer_num", "number", "no", "nr",
                "kundenummer", "kundenr", "kunde_nr", "kunde_nummer", "debitornummer", "debitor_nr", "debitornr",
            ],
            "name": ["name", "customer_name", "company", "company_name", "navn", "kundenavn", "firmanavn", "firma"],
            "email": ["email", "e_mail", "mail", "email_address", "e_mail_address", "emailadresse", "e_mailadresse", "e_mail_adresse"],
            "phone": ["phone", "telephone", "phone_number", "telephone_number", "tel", "telefon", "telefonnummer", "tlf", "tlf_nr"],
            "address.line1": [
                "address", "address1", "address_1", "address_line1", "address_line_1", "line1", "street", "street_address",
                "adresse", "adresse1", "adresse_1",
            ],
            "address.line2": ["address2", "address_2", "address_line2", "address_line_2", "line2", "adresse2", "adresse_2"],
            "address.postal_code": [
                "zip", "zip_code", "zipcode", "postal_code", "postalcode", "postcode", "post_code", "address_postal_code",
                "postnummer", "postnr", "post_nr",
            ],
            "address.city": ["city", "town", "address_city", "by", "bynavn"],
            "address.state": ["state", "region", "province", "address_state"],
            "address.country": ["country", "country_code", "address_country", "land", "landekode"],
            "tax_id": [
                "tax_id", "taxid", "tax_number", "vat", "vat_number", "vat_no", "vat_nr", "vat_id", "cvr", "cvr_nr", "cvrnr",
                "cvr_nummer", "cvrnummer", "momsnummer", "moms_nr",
            ],
            "currency": ["currency", "valuta"],
            "description": ["description", "note", "notes", "comment", "beskrivelse", "bemærkning", "bemaerkning", "kommentar"],
        ]
        var aliases: [String: String] = [:]
        for (key, names) in table {
            for name in names {
                precondition(aliases.updateValue(key, forKey: name) == nil, "alias \(name) listed twice")
            }
        }
        return aliases
    }()

    /// Normalises a header name (see the type's documentation); `""` for a blank header.
    public static func normalise(_ header: String) -> String {
        var result = ""
        var pendingUnderscore = false
        for character in header.lowercased() {
            if character.isLetter || character.isNumber {
                if pendingUnderscore && !result.isEmpty { result.append("_") }
                pendingUnderscore = false
                result.append(character)
            } else {
                pendingUnderscore = true
            }
        }
        return result
    }

    /// The source key for a header name: a known key, `metadata.<name>`, or `nil` for a blank header.
    public static func sourceKey(forHeader header: String) -> String? {
        let normalised = normalise(header)
        guard !normalised.isEmpty else { return nil }
        if let key = aliases[normalised] { return key }
        if normalised.hasPrefix("metadata_"), normalised.count > "metadata_".count {
            return "metadata." + normalised.dropFirst("metadata_".count)
        }
        return "metadata." + normalised
    }
}

/// A customer file's header row, mapped onto the source vocabulary.
public struct CustomerFileHeader: Sendable, Hashable {
    /// One column of the header.
    public struct Column: Sendable, Hashable {
        /// 0-based position in the row.
        public var index: Int
        /// The header as written in the file (surrounding spaces removed).
        public var name: String
        /// The source key the column maps to; `nil` for a column without a name (ignored).
        public var key: String?
    }

    /// Every column, in file order.
    public var columns: [Column]
    /// The field separator found on the header line (`,` or `;`).
    public var separator: Character

    /// The column that holds the customer number.
    public var customerNumberColumn: Column {
        columns.first { $0.key == CustomerFileColumns.customerNumberKey }!
    }

    /// The column mapped to `key`, if any.
    public func column(forKey key: String) -> Column? {
        columns.first { $0.key == key }
    }

    /// Maps a header row; throws when it has duplicate columns, no customer number column, or too many columns.
    /// - Parameters:
    ///   - names: the header fields as parsed.
    ///   - separator: the separator found on the header line.
    ///   - line: the header's line number, for messages.
    ///   - maxColumns: the most columns a file may have.
    /// - Throws: ``CustomerFileError``.
    public init(names: [String], separator: Character, line: Int = 1, maxColumns: Int = CustomerFileLimits().maxColumns)
        throws(CustomerFileError)
    {
        guard names.count <= maxColumns else {
            throw .tooManyColumns(count: names.count, limit: maxColumns)
        }
        var columns: [Column] = []
        var byKey: [String: [String]] = [:]
        for (index, raw) in names.enumerated() {
            let name = raw.trimmingWhitespace()
            let key = CustomerFileColumns.sourceKey(forHeader: name)
            columns.append(Column(index: index, name: name, key: key))
            if let key { byKey[key, default: []].append(name) }
        }
        guard columns.contains(where: { $0.key != nil }) else {
            throw .noHeader(line: line, detail: "the first line has no column names")
        }
        let duplicates = columns.compactMap { $0.key }.uniqued().filter { byKey[$0]!.count > 1 }
        if !duplicates.isEmpty {
            throw .duplicateColumns(duplicates.map { (key: $0, headers: byKey[$0]!) })
        }
        guard columns.contains(where: { $0.key == CustomerFileColumns.customerNumberKey }) else {
            throw .missingCustomerNumberColumn(headers: columns.map(\.name).filter { !$0.isEmpty })
        }
        self.columns = columns
        self.separator = separator
    }
}

extension Sequence where Element: Hashable {
    /// The elements in order, without repeats.
    func uniqued() -> [Element] {
        var seen: Set<Element> = []
        return filter { seen.insert($0).inserted }
    }
}

