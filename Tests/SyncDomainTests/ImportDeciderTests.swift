import SyncDomain
import Testing

@Suite struct ImportDeciderTests {
    let id = ImportID.forFile(sha256: "ab12")
    var received: ImportReceived { ImportReceived(importId: id, fileName: "customers.csv", sha256: "ab12") }

    @Test func reuploadingTheSameFileIsANoOp() throws {
        let events = try ImportDecider.decide(.receive(received), state: .initial)
        #expect(events == [.importReceived(received)])
        let state = ImportDecider.fold(events)
        #expect(try ImportDecider.decide(.receive(ImportReceived(importId: id, fileName: "copy.csv", sha256: "AB12")), state: state) == [])
        #expect(ImportID.forFile(sha256: "AB12") == id)
        #expect(throws: ImportDecider.Error.differentFile(id, sha256: "ab12")) {
            try ImportDecider.decide(.receive(ImportReceived(importId: id, fileName: "x.csv", sha256: "ff")), state: state)
        }
    }

    @Test func rowsAreRejectedOnceAndTheImportCompletesOnce() throws {
        var state = ImportDecider.fold([.importReceived(received)])
        let reject = ImportRowRejected(importId: id, row: 4, column: "email", reason: "not an e-mail address")
        let rejected = try ImportDecider.decide(.rejectRow(reject), state: state)
        state = rejected.reduce(state, ImportDecider.evolve)
        #expect(try ImportDecider.decide(.rejectRow(reject), state: state) == [])
        let summary = ImportCompleted(importId: id, added: 3, updated: 1, unchanged: 0, rejected: 1)
        state = try ImportDecider.decide(.complete(summary), state: state).reduce(state, ImportDecider.evolve)
        #expect(state.completed == summary)
        #expect(throws: ImportDecider.Error.alreadyCompleted(id)) { try ImportDecider.decide(.complete(summary), state: state) }
        #expect(throws: ImportDecider.Error.notReceived(id)) { try ImportDecider.decide(.rejectRow(reject), state: .initial) }
    }
}
