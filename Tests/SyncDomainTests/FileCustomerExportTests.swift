import SyncDomain
import Testing

/// What the customer-file export writes for a file customer: its own values, except where its pair agreed otherwise.
@Suite struct FileCustomerExportTests {
    let settings = TenantSettings.default
    let file = ["name": "Vejle Cykler", "email": "post@vejle-cykler.example", "address.city": "Vejle", "metadata.seller": "Ole"]

    @Test("without a partner (or stopped) the file's values go out as they are, with the customer number")
    func unlinked() {
        let fields = FileCustomerExport.fields(observed: file.merging(["phone": "  "]) { $1 }, number: "7001", agreed: nil, settings: settings)
        #expect(fields == file.merging(["customer_number": "7001"]) { $1 }, "blank values are left out")
    }

    @Test("a value the pair agreed on since the file was read replaces the file's; equal values keep the file's spelling")
    func agreedValuesWin() {
        let agreed = [
            "name": "VEJLE CYKLER", "email": "post@vejle-cykler.example", "city": "Kolding", "address": "Havnegade 1\n2. sal",
            "telephoneAndFaxNumber": "+45 75 00 00 00",
        ]
        let fields = FileCustomerExport.fields(observed: file, number: "7001", agreed: agreed, settings: settings)
        #expect(fields["address.city"] == "Kolding", "e-conomic's change carried over")
        #expect(fields["address.line1"] == "Havnegade 1" && fields["address.line2"] == "2. sal", "a joined field is split back")
        #expect(fields["phone"] == "+45 75 00 00 00", "a value the file lacked")
        #expect(fields["email"] == "post@vejle-cykler.example")
        #expect(fields["metadata.seller"] == "Ole", "fields outside the mappings stay")
        #expect(fields["customer_number"] == "7001")
    }

    @Test("a field the pair has no agreed value for keeps the file's value")
    func notAgreed() {
        let fields = FileCustomerExport.fields(observed: file, number: "7001", agreed: ["name": "Vejle Cykler"], settings: settings)
        #expect(fields == file.merging(["customer_number": "7001"]) { $1 })
    }
}
