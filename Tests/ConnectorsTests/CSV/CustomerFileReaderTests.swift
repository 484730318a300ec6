import Connectors
import Foundation
import Testing

/// Reads a file given as text (optionally with a BOM) in chunks of `chunkSize` bytes.
func readCustomers(_ text: String, bom: Bool = false, chunkSize: Int = 256 * 1024) async throws -> [CustomerFileItem] {
    let bytes = (bom ? [0xEF, 0xBB, 0xBF] : []) + Array(text.utf8)
    return try await CustomerFileReader(chunkSize: chunkSize).items(in: bytes).collect()
}

func rows(_ items: [CustomerFileItem]) -> [CustomerFileRow] {
    items.compactMap { if case .row(let row) = $0 { return row } else { return nil } }
}

func rejections(_ items: [CustomerFileItem]) -> [CustomerFileRejection] {
    items.compactMap { if case .rejected(let rejection) = $0 { return rejection } else { return nil } }
}

/// Expects reading `text` to fail with `code`, and returns the error.
@discardableResult
func expectFileError(_ text: String, _ code: CustomerFileError.Code, sourceLocation: SourceLocation = #_sourceLocation) async -> CustomerFileError? {
    do {
        _ = try await readCustomers(text)
        Issue.record("expected \(code), read the file", sourceLocation: sourceLocation)
        return nil
    } catch let error as CustomerFileError {
        #expect(error.code == code, "\(error)", sourceLocation: sourceLocation)
        return error
    } catch {
        Issue.record("unexpected \(error)", sourceLocation: sourceLocation)
        return nil
    }
}

@Suite("Customer files")
struct CustomerFileReaderTests {
    @Test("quoting: separators, doubled quotes and line breaks inside quotes", arguments: [1, 3, 256 * 1024])
    func quoting(chunkSize: Int) async throws {
        let text = """
            customer_number,name,email,address
            1,"Acme, Inc","a@acme.dk","Vej 1
            Baghuset"
            2,"The ""Best"" Co",b@best.dk,Road 2

            """
        let items = try await readCustomers(text, chunkSize: chunkSize)
        #expect(rejections(items).isEmpty)
        #expect(
            rows(items) == [
                CustomerFileRow(
                    rowNumber: 2, line: 2,
                    fields: ["customer_number": "1", "name": "Acme, Inc", "email": "a@acme.dk", "address.line1": "Vej 1\nBaghuset"]),
                CustomerFileRow(
                    rowNumber: 3, line: 4,
                    fields: ["customer_number": "2", "name": "The \"Best\" Co", "email": "b@best.dk", "address.line1": "Road 2"]),
            ])
    }

    @Test("Danish headers, ';', a BOM and CRLF, with aliases mapped and values normalised")
    func danishExport() async throws {
        let text =
            "Kundenummer;Navn;Adresse;Postnummer;By;Land;Telefon;CVR-nr.;E-mail;Sælger\r\n"
            + "0042;Ærø Æbler ApS;Søndergade 3;5970;Ærøskøbing;Danmark;+45 12 34 56 78;DK12345678;info@aeroe.dk;Mette\r\n"
            + "43;\"Fisk; Frisk A/S\";;;;se;;;;\r\n"
        let items = try await readCustomers(text, bom: true)
        #expect(rejections(items).isEmpty, "\(rejections(items))")
        #expect(
            rows(items).map(\.fields) == [
                [
                    "customer_number": "42", "name": "Ærø Æbler ApS", "address.line1": "Søndergade 3", "address.postal_code": "5970",
                    "address.city": "Ærøskøbing", "address.country": "DK", "phone": "+45 12 34 56 78", "tax_id": "DK12345678",
                    "email": "info@aeroe.dk", "metadata.sælger": "Mette",
                ],
                ["customer_number": "43", "name": "Fisk; Frisk A/S", "address.country": "SE"],
            ])
    }

    @Test("header names are matched case-insensitively, with surrounding spaces, and English aliases")
    func aliases() async throws {
        let text =
            " Customer No. ,COMPANY,Address1,Address 2,ZIP,City,Country,VAT,Notes,ERP id,\n7,Globex,Main St 1,Suite 2,90210,Springfield,United States,US123,VIP,E-7,\n"
        let items = try await readCustomers(text)
        #expect(
            rows(items).map(\.fields) == [
                [
                    "customer_number": "7", "name": "Globex", "address.line1": "Main St 1", "address.line2": "Suite 2",
                    "address.postal_code": "90210", "address.city": "Springfield", "address.country": "US", "tax_id": "US123",
                    "description": "VIP", "metadata.erp_id": "E-7",
                ]
            ])
        #expect(CustomerFileColumns.sourceKey(forHeader: "kundenummer") == "customer_number")
        #expect(CustomerFileColumns.sourceKey(forHeader: "address.line1") == "address.line1")
        #expect(CustomerFileColumns.sourceKey(forHeader: "metadata.erp_id") == "metadata.erp_id")
        #expect(CustomerFileColumns.sourceKey(forHeader: "  ") == nil)
    }

    @Test("bad rows are kept apart with row numbers and columns; good rows around them are read")
    func badRowsKeptApart() async throws {
        let text = """
            customer_number,name,email,country
            1,Acme,a@acme.dk,DK
            2,Beta,not-an-email,Narnia
            ,Nameless,n@x.dk,DK
            4,"Broken,b@broken.dk,DK
            5,Epsilon,e@eps.dk,DE
            6,Zeta,z@zeta.dk,DK,extra
            7,Eta
            1000000000,Theta,t@theta.dk,NO
            9,Iota,i@iota.dk,Sverige

            """
        let items = try await readCustomers(text)
        #expect(rows(items).map(\.customerNumber) == ["1", "5", "9"])
        #expect(rows(items).last?.fields["address.country"] == "SE")
        let rejected = rejections(items)
        #expect(rejected.map(\.rowNumber) == [3, 4, 5, 7, 8, 9])
        #expect(rejected[0].problems.map(\.column) == ["email", "country"])
        #expect(rejected[0].problems.map(\.reason) == [.invalidEmail, .unknownCountry])
        #expect(rejected[1].problems.map(\.reason) == [.missingCustomerNumber])
        #expect(rejected[1].problems.first?.column == "customer_number")
        #expect(
            rejected[2].problems.map(\.reason) == [.malformed(.unterminatedQuote)]
                || rejected[2].problems.map(\.reason) == [.malformed(.unbalancedQuotes(fields: 2, expected: 4))])
        #expect(rejected[3].problems.map(\.reason) == [.tooManyFields(expected: 4, found: 5)])
        #expect(rejected[4].problems.map(\.reason) == [.tooFewFields(expected: 4, found: 2)])
        #expect(rejected[5].problems.map(\.reason) == [.customerNumberOutOfRange])
        #expect(rejected[0].description.contains("email \"not-an-email\""))
    }

    @Test("an unterminated quote in the middle of a file: the row is rejected, the rest is read")
    func unterminatedQuoteAtEnd() async throws {
        let text = "customer_number,name\n1,Acme\n2,\"Open\n3,Gamma\n4,Delta\n"
        let items = try await readCustomers(text)
        #expect(rows(items).map(\.customerNumber) == ["1", "3", "4"])
        #expect(rejections(items).map(\.line) == [3])
        #expect(rejections(items).first?.problems.first?.reason == .malformed(.unterminatedQuote))
    }

    @Test("blank lines and rows of separators only are skipped; row numbers still count them")
    func blankRows() async throws {
        let items = try await readCustomers("\ncustomer_number,name\n1,A\n,\n\n2,B\n")
        #expect(rows(items).map(\.rowNumber) == [3, 6])
        #expect(rejections(items).isEmpty)
    }

    @Test("trailing empty columns (a spreadsheet's padding) are accepted")
    func padding() async throws {
        let items = try await readCustomers("customer_number,name\n1,A,,\n")
        #expect(rows(items).map(\.fields) == [["customer_number": "1", "name": "A"]])
    }

    @Test("non-numeric customer numbers are accepted as file keys; numeric ones are normalised")
    func customerNumbers() async throws {
        let items = try await readCustomers("customer_number\nC-1001\n007\n0\n999999999\n")
        #expect(rows(items).map(\.customerNumber) == ["C-1001", "7", "999999999"])
        #expect(rejections(items).map(\.rowNumber) == [4])
    }

    @Test("duplicate columns are a whole-file error naming both")
    func duplicateColumns() async {
        let error = await expectFileError("customer_number,zip,Postnummer,name,Name\n1,2,3,4,5\n", .duplicateColumns)
        #expect(error?.message.contains("\"zip\" and \"Postnummer\"") == true)
        #expect(error?.message.contains("\"name\" and \"Name\"") == true)
    }

    @Test("a file without a customer number column is refused with the headers it has")
    func missingCustomerNumberColumn() async {
        let error = await expectFileError("name,email\nAcme,a@acme.dk\n", .missingCustomerNumberColumn)
        #expect(error?.message.contains("\"name\", \"email\"") == true)
    }

    @Test("empty files, files of blank lines and unreadable headers are refused")
    func wholeFileErrors() async throws {
        await expectFileError("", .empty)
        await expectFileError("\u{FEFF}", .empty)
        await expectFileError("\n \n\n", .empty)
        await expectFileError("\"customer_number,name\n", .noHeader)
        // Blank lines before the header are skipped, so here the data line is taken for the header.
        let dataFirst = await expectFileError(",,\n1,2,3\n", .missingCustomerNumberColumn)
        #expect(dataFirst?.message.contains("\"1\", \"2\", \"3\"") == true)
        #expect(try await readCustomers("customer_number,name\n").isEmpty)
    }

    @Test("a file that is not UTF-8 is refused with the line")
    func notUTF8() async {
        let latin1: [UInt8] = Array("customer_number,name\n1,".utf8) + [0xC6, 0x72, 0xF8] + Array("\n".utf8)  // "Ærø" in Latin-1
        do {
            _ = try await CustomerFileReader().items(in: latin1).collect()
            Issue.record("expected invalidUTF8")
        } catch let error as CustomerFileError {
            #expect(error.code == .invalidUTF8)
            #expect(error.line == 2)
            #expect(error.description.contains("CSV UTF-8"))
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test("a missing file is an unreadable error")
    func missingFile() async {
        do {
            _ = try await CustomerFileReader().items(inFileAt: "/nonexistent/accord/customers.csv").collect()
            Issue.record("expected unreadable")
        } catch let error as CustomerFileError {
            #expect(error.code == .unreadable)
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test("100,000 generated rows stream from a file, with bad rows counted apart, and the hash is stable")
    func largeFile() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("accord-csv-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("customers.csv").path

        let total = 100_000
        var text = "customer_number;navn;email;by;land;note\n"
        text.reserveCapacity(total * 80)
        for number in 1...total {
            let email = number % 1000 == 0 ? "broken" : "kunde\(number)@example.dk"
            let note = number % 10 == 0 ? "\"says \"\"hi\"\"\nsecond line\"" : "plain"
            text += "\(number);\"Firma \(number); ApS\";\(email);København Ø;DK;\(note)\n"
        }
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))

        var good = 0
        var bad = 0
        var lastRow: CustomerFileRow?
        for try await item in CustomerFileReader(chunkSize: 64 * 1024).items(inFileAt: path) {
            switch item {
            case .row(let row):
                good += 1
                lastRow = row
            case .rejected(let rejection):
                bad += 1
                #expect(rejection.problems.map(\.key) == ["email"])
            }
        }
        #expect(good + bad == total)
        #expect(bad == total / 1000)
        #expect(lastRow?.customerNumber == "99999")
        #expect(lastRow?.fields["description"] == "plain")  // "note" is an alias of description

        let digest = try CustomerFileDigest.sha256(ofFileAt: path, chunkSize: 10_000)
        #expect(digest == CustomerFileDigest.sha256(of: Data(text.utf8)))
        #expect(digest == (try CustomerFileDigest.sha256(ofFileAt: path)))
        #expect(digest.count == 64)
    }

    @Test("the file hash is the SHA-256 of the exact bytes")
    func digest() throws {
        #expect(CustomerFileDigest.sha256(of: Data("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        var incremental = CustomerFileDigest()
        incremental.update(Data("a".utf8))
        incremental.update(Data("bc".utf8))
        #expect(incremental.finalize() == CustomerFileDigest.sha256(of: Data("abc".utf8)))
        #expect(CustomerFileDigest.sha256(of: Data("abc\n".utf8)) != CustomerFileDigest.sha256(of: Data("abc\r\n".utf8)))
    }
}

@Suite("Customer row rules")
struct CustomerRowRulesTests {
    @Test(
        "emails",
        arguments: [
            ("a@b.dk", true), ("first.last+tag@sub.example.com", true), ("a@b", false), ("@b.dk", false), ("a@@b.dk", false),
            ("a b@c.dk", false), ("a@b.dk, c@d.dk", false), ("a@b.c", false), ("a@.dk", false), ("æ@ø.dk", true),
        ])
    func emails(email: String, valid: Bool) {
        #expect(CustomerRowRules.isEmailShaped(email) == valid)
    }

    @Test(
        "countries: ISO codes, English and Danish names, a few alpha-3 codes",
        arguments: [
            ("dk", "DK"), ("DK", "DK"), ("Denmark", "DK"), ("danmark", "DK"), ("Færøerne", "FO"), ("Grønland", "GL"),
            ("Tyskland", "DE"), ("United  Kingdom", "GB"), ("UK", "GB"), ("USA", "US"), ("DEU", "DE"), ("Sverige", "SE"),
        ])
    func countries(name: String, code: String) {
        #expect(CustomerRowRules.countryCode(for: name) == code)
    }

    @Test("unknown countries", arguments: ["Narnia", "XX", "D", ""])
    func unknownCountries(name: String) {
        #expect(CustomerRowRules.countryCode(for: name) == nil)
    }

    @Test("lengths and currency")
    func lengths() {
        let (fields, problems) = CustomerRowRules.validate(
            ["customer_number": "1", "name": String(repeating: "n", count: 256), "currency": "dkk", "metadata.x": "ok"],
            columnNames: ["name": "Navn"])
        #expect(fields["currency"] == "DKK")
        #expect(
            problems == [CustomerFileProblem(column: "Navn", key: "name", reason: .tooLong(limit: 255), value: String(repeating: "n", count: 256))])
        #expect(CustomerRowRules.validate(["customer_number": "1", "currency": "kr."]).problems.map(\.reason) == [.invalidCurrency])
    }
}
