import ContactEditing
import SwitchboardCore
import Foundation
import SwitchboardAPI
import SyncEngine
import SwitchboardStore

/// Contacts of the tenant's address books: listed and searched from the store, written
/// through the sync engine like events.
extension APIHandler {
    func listContacts(_ input: Operations.ListContacts.Input) async throws -> Operations.ListContacts.Output {
        await answer(problem: { .default(statusCode: $0.status, $0.document) }) { () throws(Problem) in
            let book = try await collection(input.path.addressBookId, of: try Principal.requiring(.read), kind: .addressBook)
            let limit = input.query.limit ?? 200
            guard (1...1000).contains(limit) else { throw Problem.invalid("limit", "between 1 and 1000") }
            if let query = input.query.q, query.isEmpty || query.count > 200 { throw Problem.invalid("q", "1 to 200 characters") }
            let found = try await call { () throws(ContactError) in try await contacts.contacts(in: book, matching: input.query.q, limit: limit) }
            return .ok(.init(body: .json(found.map(Self.contact))))
        }
    }

    func getContact(_ input: Operations.GetContact.Input) async throws -> Operations.GetContact.Output {
        await answer(problem: { .default(statusCode: $0.status, $0.document) }) { () throws(Problem) in
            let book = try await collection(input.path.addressBookId, of: try Principal.requiring(.read), kind: .addressBook)
            let found = try await call { () throws(ContactError) in try await contacts.contact(in: book, id: input.path.contactId) }
            return .ok(.init(headers: .init(eTag: found.etag), body: .json(Self.contact(found))))
        }
    }

    func createContact(_ input: Operations.CreateContact.Input) async throws -> Operations.CreateContact.Output {
        await answer(problem: { .default(statusCode: $0.status, $0.document) }) { () throws(Problem) in
            let book = try await collection(input.path.addressBookId, of: try Principal.requiring(.book), kind: .addressBook)
            guard case .json(let body) = input.body else { throw Problem.invalid("body", "send application/json") }
            let draft = try Self.draft(body)
            let created = try await call { () throws(ContactError) in try await contacts.create(in: book, draft) }
            return .created(.init(headers: .init(eTag: created.etag), body: .json(Self.contact(created))))
        }
    }

    func updateContact(_ input: Operations.UpdateContact.Input) async throws -> Operations.UpdateContact.Output {
        await answer(problem: { .default(statusCode: $0.status, $0.document) }) { () throws(Problem) in
            let book = try await collection(input.path.addressBookId, of: try Principal.requiring(.book), kind: .addressBook)
            guard case .json(let body) = input.body else { throw Problem.invalid("body", "send application/json") }
            let draft = try Self.draft(body)
            let updated = try await call { () throws(ContactError) in
                try await contacts.update(in: book, id: input.path.contactId, with: draft, ifMatch: input.headers.ifMatch)
            }
            return .ok(.init(headers: .init(eTag: updated.etag), body: .json(Self.contact(updated))))
        }
    }

    func deleteContact(_ input: Operations.DeleteContact.Input) async throws -> Operations.DeleteContact.Output {
        await answer(problem: { .default(statusCode: $0.status, $0.document) }) { () throws(Problem) in
            let book = try await collection(input.path.addressBookId, of: try Principal.requiring(.book), kind: .addressBook)
            try await call { () throws(ContactError) in try await contacts.delete(in: book, id: input.path.contactId, ifMatch: input.headers.ifMatch) }
            return .noContent(.init())
        }
    }

    func call<T>(_ body: () async throws(ContactError) -> T) async throws(Problem) -> T {
        do { return try await body() } catch { throw Problem(error) }
    }

    static func draft(_ body: Components.Schemas.ContactInput) throws(Problem) -> ContactDraft {
        let draft = ContactDraft(fullName: body.fullName, givenName: body.givenName, familyName: body.familyName,
                                 emails: (body.emails ?? []).map { .init(value: $0.value, type: $0._type) },
                                 phones: (body.phones ?? []).map { .init(value: $0.value, type: $0._type) },
                                 organization: body.organization, note: body.note)
        do {
            try draft.validate()
        } catch {
            throw Problem.invalid(error.field, error.message)
        }
        return draft
    }

    static func contact(_ stored: StoredContact) -> Components.Schemas.Contact {
        let snapshot = stored.snapshot
        return .init(id: stored.id, addressBookId: stored.addressBookID, etag: stored.etag, syncState: .init(rawValue: stored.state.rawValue) ?? .pending,
                     uid: snapshot.uid, fullName: snapshot.fullName, givenName: snapshot.givenName, familyName: snapshot.familyName,
                     emails: snapshot.emails.map { .init(value: $0.value, _type: $0.type) }, phones: snapshot.phones.map { .init(value: $0.value, _type: $0.type) },
                     organization: snapshot.organization, note: snapshot.note)
    }
}

extension Problem {
    /// What a contact failure means to a caller (the current version rides along on 409/412).
    init(_ error: ContactError) {
        switch error {
        case .unknownAddressBook(let id):
            self.init(status: 404, code: "addressbook_not_found", title: "No such address book", detail: "no address book \(id)")
        case .unknownContact(let id):
            self.init(status: 404, code: "contact_not_found", title: "No such contact", detail: "no contact \(id)")
        case .edit(let edit):
            self = .invalid(edit.field, edit.message)
        case .preconditionFailed(let current):
            self.init(status: 412, code: "precondition_failed", title: "Precondition failed", detail: error.description)
            self.current = .Contact(APIHandler.contact(current))
        case .conflict(let current):
            self.init(status: 409, code: "conflict", title: "Conflict", detail: error.description)
            self.current = current.map { .Contact(APIHandler.contact($0)) }
        case .unreadable(let why):
            self.init(status: 422, code: "unreadable_contact", title: "The stored contact cannot be read", detail: why)
        case .store(let error):
            self.init(error)
        }
    }
}
