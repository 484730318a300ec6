import Foundation

/// An accountant's edit that an API write undid without knowing: the writer read the customer before the edit, and
/// its `PUT` (e-conomic replaces the whole customer and has no conditional write) put back the value it had read.
/// Neither e-conomic nor the writer can tell; the sandbox can, because it knows which writes are an accountant's
/// edits (`PATCH /_sandbox/customers/{n}`, as made in e-conomic's own screens) and when the API last read the
/// customer. `GET /_sandbox/overwrites` lists them.
public struct SandboxOverwrite: Codable, Sendable, Equatable {
    /// The customer.
    public var customerNumber: Int
    /// The field, as the sandbox stores it (`name`, `zip`, `paymentTerms`, `creditLimit`, …).
    public var field: String
    /// What the accountant wrote (JSON text; `null` for a cleared field).
    public var edited: String
    /// What the API write put there instead (the value it had read).
    public var written: String
}

/// Keeps what is needed to see ``SandboxOverwrite``s: a revision per write, the revision at which the API last read
/// each customer, and each customer's last few edits with the values they replaced.
struct OverwriteWatch: Sendable {
    private struct Edit: Sendable {
        var revision: Int
        var before: [String: JSONValue]
        var after: [String: JSONValue]
    }

    private var revision = 0
    private var lastRead: [Int: Int] = [:]
    private var edits: [Int: [Edit]] = [:]
    /// What was seen, oldest first.
    private(set) var overwrites: [SandboxOverwrite] = []

    /// The API read the customer (`GET /customers/{n}`): what it writes next is based on this.
    mutating func read(_ number: Int) { lastRead[number] = revision }

    /// An accountant edited the customer.
    mutating func edited(_ number: Int, from before: SandboxCustomer, to after: SandboxCustomer) {
        revision += 1
        let (old, new) = (Self.fields(before), Self.fields(after))
        let changed = Self.changed(from: before, to: after)
        guard !changed.isEmpty else { return }
        var list = edits[number] ?? []
        list.append(Edit(revision: revision, before: old.filter { changed.contains($0.key) }, after: new.filter { changed.contains($0.key) }))
        edits[number] = Array(list.suffix(20))
    }

    /// The API replaced the customer: every field an edit since its last read changed, and that it now holds the
    /// edit's old value again, was overwritten.
    mutating func replaced(_ number: Int, with customer: SandboxCustomer) {
        revision += 1
        let since = lastRead[number] ?? 0
        let now = Self.fields(customer)
        for edit in edits[number] ?? [] where edit.revision > since {
            for key in Set(edit.before.keys).union(edit.after.keys).sorted() where now[key] == edit.before[key] {
                overwrites.append(
                    SandboxOverwrite(customerNumber: number, field: key, edited: Self.text(edit.after[key]), written: Self.text(now[key])))
            }
        }
        lastRead[number] = revision
    }

    /// The customer is gone.
    mutating func deleted(_ number: Int) {
        lastRead[number] = nil
        edits[number] = nil
    }

    /// The fields (write-shape keys) whose value differs between two states of a customer.
    static func changed(from before: SandboxCustomer, to after: SandboxCustomer) -> Set<String> {
        let (old, new) = (fields(before), fields(after))
        return Set(old.keys).union(new.keys).filter { old[$0] != new[$0] }
    }

    private static func fields(_ customer: SandboxCustomer) -> [String: JSONValue] {
        guard let data = try? JSONEncoder().encode(customer), var fields = try? JSONDecoder().decode([String: JSONValue].self, from: data) else {
            return [:]
        }
        fields["lastUpdated"] = nil
        return fields
    }

    private static func text(_ value: JSONValue?) -> String {
        guard let value, let data = try? JSONEncoder().encode(value) else { return "null" }
        return String(decoding: data, as: UTF8.self)
    }
}
