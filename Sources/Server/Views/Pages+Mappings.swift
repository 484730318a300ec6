import SyncDomain

extension Pages {
    /// The settings page's mapping editor: one row per e-conomic field with what it expects (kind, limit, required),
    /// the source fields its value comes from (two lists, and a box for metadata fields or more sources), and a warning
    /// next to a source that holds another kind of value (an e-mail address mapped to a name).
    static func mappingEditor(_ form: SettingsForm, problems: HTML = .empty) -> HTML {
        let sources = SourceField.known.map(\.key)
        func list(_ name: String, _ field: EconomicField, _ current: String, _ label: String) -> HTML {
            let options = HTML.join(
                sources.map { key in "<option value=\"\(key)\"\(key == current ? HTML(" selected") : .empty)>\(key)</option>" })
            return """
                <select name="\(name)[\(field.rawValue)]" aria-label="\(label) for \(field.rawValue)"><option value=""\(current.isEmpty ? HTML(" selected") : .empty)>\
                (none)</option>\(options)</select>
                """
        }
        let rows = HTML.join(
            form.mappingRows.map { row -> HTML in
                let spec = row.field.spec
                let warnings = (row.mapping?.kindMismatches ?? []).map { mismatch -> HTML in
                    "<li>\(mismatch.source) holds \(kindPhrase(mismatch.holds)), but \(row.field.rawValue) expects \(kindPhrase(mismatch.expected)).</li>"
                }
                let required: HTML = spec.requiredOnCreate ? "; required (the defaults fill it when unmapped)" : ""
                let limit: HTML = spec.whenTooLong == .truncate ? "up to \(spec.maxLength) characters, longer values cut" : "up to \(spec.maxLength) characters"
                return """
                    <tr><th scope="row">\(row.field.rawValue)</th><td class="muted">\(kindPhrase(spec.kind)), \(limit)\(required)</td>
                    <td>\(list("map", row.field, row.first, "Source field")) + \(list("map2", row.field, row.second, "Second source field"))
                    <input name="map_other[\(row.field.rawValue)]" value="\(row.other)" size="22" placeholder="metadata.…" aria-label="Other source fields for \(row.field.rawValue)">\
                    \(warnings.isEmpty ? HTML.empty : "<ul class=\"warning\" role=\"note\">\(HTML.join(warnings))</ul>")</td></tr>
                    """
            })
        return """
            <fieldset><legend>Field mappings</legend>\(problems)
            <p class="muted">Where each e-conomic field takes its value from. A second source is joined to the first on a new line \
            (address.line1 + address.line2 → address); type <code>metadata.key</code> for a Stripe metadata field, several joined with \
            <code>+</code>.</p>
            <table class="mappings"><tr><th>e-conomic field</th><th>Expects</th><th>From the source fields</th></tr>\(rows)</table></fieldset>
            """
    }

    /// A kind of value as a sentence names it.
    static func kindPhrase(_ kind: FieldValueKind) -> String {
        switch kind {
        case .text: "text"
        case .email: "an e-mail address"
        case .phone: "a telephone number"
        case .taxID: "a company or VAT number"
        case .customerNumber: "a customer number"
        case .reference: "a number from e-conomic's lists"
        case .currency: "a currency code"
        case .country: "a country"
        }
    }
}
