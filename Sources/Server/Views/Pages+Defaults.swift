extension Pages {
    /// The settings page's defaults for new e-conomic customers: lists to choose from when e-conomic's lists could be
    /// read (a saved value the agreement no longer offers stays selected, marked), numbers to type otherwise, with
    /// why.
    static func defaultsFieldset(_ form: SettingsForm, choices state: EconomicChoicesState, problems: HTML = .empty) -> HTML {
        func checked(_ condition: Bool) -> HTML { condition ? " checked" : "" }
        let lists: EconomicChoices?
        let note: HTML
        switch state {
        case .loaded(let loaded):
            lists = loaded
            note = "<p class=\"muted\">Chosen from your e-conomic agreement's own lists; checked again when you save.</p>"
        case .notConnected:
            lists = nil
            note = "<p class=\"muted\">Connect e-conomic (<a href=\"/ui/connections\">Connections</a>) to choose these from its lists; until then type the numbers as e-conomic shows them.</p>"
        case .unavailable(let reason):
            lists = nil
            note = "<p class=\"muted\">e-conomic's lists could not be read (\(reason)); type the numbers, they are checked when you save.</p>"
        }
        func field(_ name: String, _ current: String, _ options: [EconomicChoices.Choice]?, size: Int, empty: String? = nil) -> HTML {
            guard let options else {
                return "<input name=\"\(name)\" id=\"\(name)\" value=\"\(current)\" size=\"\(size)\"\(empty.map { HTML(trusted: " placeholder=\"\(HTML.escape($0))\"") } ?? .empty)>"
            }
            return picker(name, current, options, empty: empty)
        }
        return """
            <fieldset><legend>Defaults for new e-conomic customers</legend>\(problems)\(note)
            <label for="payment_terms">Payment terms</label> \(field("payment_terms", form.paymentTerms, lists?.paymentTerms, size: 6))
            <label for="customer_group">Customer group</label> \(field("customer_group", form.customerGroup, lists?.customerGroups, size: 6))
            <label for="currency">Currency</label> \(field("currency", form.currency, lists?.currencies, size: 4))
            <label for="layout">Invoice layout</label> \(field("layout", form.layout, lists?.layouts, size: 6, empty: "(e-conomic's default)"))
            <label>Home country <input name="home_country" value="\(form.homeCountry)" size="3"></label>
            <p><label><input type="radio" name="vat_mode" value="by_country"\(checked(form.vatMode != "fixed"))> VAT zone by the customer's country:</label>
            <label for="vat_domestic">domestic</label> \(field("vat_domestic", form.vatDomestic, lists?.vatZones, size: 3))
            <label for="vat_eu">EU</label> \(field("vat_eu", form.vatEU, lists?.vatZones, size: 3))
            <label for="vat_abroad">abroad</label> \(field("vat_abroad", form.vatAbroad, lists?.vatZones, size: 3))</p>
            <p><label><input type="radio" name="vat_mode" value="fixed"\(checked(form.vatMode == "fixed"))> always the same VAT zone:</label>
            <label for="vat_fixed">zone</label> \(field("vat_fixed", form.vatFixed, lists?.vatZones, size: 3, empty: "(none)"))</p></fieldset>
            """
    }

    /// A list of e-conomic's entries with `current` selected; entries e-conomic refuses for customers cannot be chosen.
    private static func picker(_ name: String, _ current: String, _ options: [EconomicChoices.Choice], empty: String?) -> HTML {
        var rendered: [HTML] = []
        if let empty { rendered.append("<option value=\"\"\(current.isEmpty ? HTML(" selected") : .empty)>\(empty)</option>") }
        if !current.isEmpty, !options.contains(where: { $0.value.uppercased() == current.uppercased() }) {
            rendered.append("<option value=\"\(current)\" selected>\(current) (not in e-conomic)</option>")
        }
        for option in options {
            let isCurrent = option.value.uppercased() == current.uppercased()
            let attributes: HTML = isCurrent ? " selected" : option.usable ? .empty : " disabled"
            rendered.append("<option value=\"\(option.value)\"\(attributes)>\(option.label)\(option.usable ? "" : " (not for customers)")</option>")
        }
        return "<select name=\"\(name)\" id=\"\(name)\">\(HTML.join(rendered))</select>"
    }
}
