import Hummingbird

/// `/self` and the read-only reference collections: `/customer-groups`, `/payment-terms`, `/vat-zones`,
/// `/layouts`, `/currencies`, each with `GET /…/{id}`.
struct ReferenceController {
    let store: SandboxStore
    let publicBaseURL: String?

    func addRoutes(to router: Router<SandboxRequestContext>) {
        router.get("self") { request, _ in
            let base = request.sandboxBaseURL(publicBaseURL)
            return try SandboxError.jsonResponse(status: .ok, body: SelfRepresentation(await store.referenceData.agreement, base: base))
        }
        collection("customer-groups", id: { "\($0.number)" }, items: { $0.customerGroups }) { group, seed, base in
            CustomerGroupRepresentation(group, layouts: seed.layouts, base: base)
        }
        .addRoutes(to: router, store: store, publicBaseURL: publicBaseURL)
        collection("payment-terms", id: { "\($0.number)" }, items: { $0.paymentTerms }) { terms, _, base in
            PaymentTermsRepresentation(terms, base: base)
        }
        .addRoutes(to: router, store: store, publicBaseURL: publicBaseURL)
        collection("vat-zones", id: { "\($0.number)" }, items: { $0.vatZones }) { zone, _, base in
            VatZoneRepresentation(zone, base: base)
        }
        .addRoutes(to: router, store: store, publicBaseURL: publicBaseURL)
        collection("layouts", id: { "\($0.number)" }, items: { $0.layouts }, listed: { !$0.deleted }) { layout, _, base in
            LayoutRepresentation(layout, base: base)
        }
        .addRoutes(to: router, store: store, publicBaseURL: publicBaseURL)
        collection("currencies", id: { $0.code }, items: { $0.currencies }) { currency, _, base in
            CurrencyRepresentation(currency, base: base)
        }
        .addRoutes(to: router, store: store, publicBaseURL: publicBaseURL)
    }

    private func collection<Item: Sendable, Representation: Encodable & Sendable>(
        _ path: String,
        id: @escaping @Sendable (Item) -> String,
        items: @escaping @Sendable (SandboxSeed) -> [Item],
        listed: @escaping @Sendable (Item) -> Bool = { _ in true },
        represent: @escaping @Sendable (Item, SandboxSeed, String) -> Representation
    ) -> ReferenceCollection<Item, Representation> {
        ReferenceCollection(path: path, id: id, items: items, listed: listed, represent: represent)
    }
}

/// One read-only collection with the standard envelope and paging. `filter`/`sort` are not supported here.
struct ReferenceCollection<Item: Sendable, Representation: Encodable & Sendable>: Sendable {
    let path: String
    let id: @Sendable (Item) -> String
    let items: @Sendable (SandboxSeed) -> [Item]
    let listed: @Sendable (Item) -> Bool
    let represent: @Sendable (Item, SandboxSeed, String) -> Representation

    func addRoutes(to router: Router<SandboxRequestContext>, store: SandboxStore, publicBaseURL: String?) {
        router.get(RouterPath(path)) { request, _ in
            let base = request.sandboxBaseURL(publicBaseURL)
            let query = request.sandboxQuery
            let page = try PageRequest(query: query)
            if query["filter"] != nil || query["sort"] != nil {
                throw SandboxError.badRequest(
                    "The sandbox supports filter and sort on /customers only.", hint: "Read the whole collection and filter it yourself.")
            }
            let seed = await store.referenceData
            let all = items(seed).filter(listed)
            let start = min(page.skipPages * page.pageSize, all.count)
            let slice = all[start..<min(start + page.pageSize, all.count)]
            let envelope = CollectionEnvelope(
                collection: slice.map { represent($0, seed, base) },
                pagination: page.pagination(collectionURL: "\(base)/\(path)", extraQuery: "", results: all.count, resultsWithoutFilter: all.count),
                metaData: nil,
                self: request.selfLink(base: base)
            )
            return try SandboxError.jsonResponse(status: .ok, body: envelope)
        }
        router.get(RouterPath("\(path)/:id")) { request, context in
            let base = request.sandboxBaseURL(publicBaseURL)
            let seed = await store.referenceData
            guard let wanted = context.parameters.get("id"), let item = items(seed).first(where: { id($0) == wanted }) else {
                throw SandboxError.notFound()
            }
            return try SandboxError.jsonResponse(status: .ok, body: represent(item, seed, base))
        }
    }
}
