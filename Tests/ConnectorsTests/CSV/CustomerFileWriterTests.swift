import Connectors
import Testing

/// The export's customer file reads back, through the importer's own reader, as the fields it was written from.
@Suite struct CustomerFileWriterTests {
    @Test("what is written reads back the same: separators, quotes, line breaks, Unicode, metadata columns, missing values")
    func roundTrip() async throws {
        let rows: [[String: String]] = [
            [
                "customer_number": "7001", "name": "Vejle Cykler, Vest", "email": "post@vejle-cykler.example", "address.line1": "Havnegade 1",
                "address.line2": "2. sal", "address.city": "Vejle", "address.country": "DK", "metadata.seller": "Ole \"Cykel\" Hansen",
            ],
            ["customer_number": "C-1002", "name": "Ærø Æbler\r\nog Pærer", "description": "first line\nsecond; third", "phone": "+45 12 34 56 78"],
            ["customer_number": "3", "name": "=SUM(A1)", "metadata.erp_id": "x-9"],
        ]
        let text = CustomerFileWriter.csv(rows)
        #expect(text.hasPrefix("customer_number,name,email,phone,address.line1,address.line2,address.city,address.country,description,metadata.erp_id,metadata.seller\r\n"))
        let items = try await CustomerFileReader().items(in: Array(text.utf8)).collect()
        let read = items.compactMap { item -> [String: String]? in
            if case .row(let row) = item { row.fields } else { nil }
        }
        #expect(items.count == rows.count, "no row rejected: \(items)")
        #expect(read == rows)
    }

    @Test("no customers: the header alone")
    func empty() {
        #expect(CustomerFileWriter.csv([]) == "customer_number\r\n")
    }
}
