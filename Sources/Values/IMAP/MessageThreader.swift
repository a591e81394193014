/// Conversations built on the client, for servers without THREAD=REFERENCES: messages are
/// linked by Message-ID, References and In-Reply-To (the references algorithm of RFC 5256
/// §4, after Jamie Zawinski's), without subject merging.
public enum MessageThreader {
    /// What threading needs of one message.
    public struct Message: Sendable, Hashable {
        public var uid: UInt32
        public var messageID: String?
        public var inReplyTo: String?
        /// The References field's text (`<a@x> <b@y>`), if fetched.
        public var references: String?

        public init(uid: UInt32, messageID: String?, inReplyTo: String?, references: String?) {
            self.uid = uid
            self.messageID = messageID
            self.inReplyTo = inReplyTo
            self.references = references
        }
    }

    /// The message IDs in a header value, in order (`<…>` tokens, compared ignoring case).
    public static func messageIDs(in text: String?) -> [String] {
        guard let text else { return [] }
        var found: [String] = []
        var current: String?
        for scalar in text.unicodeScalars {
            if scalar == "<" {
                current = ""
            } else if scalar == ">", let id = current {
                if !id.isEmpty { found.append(id.lowercased()) }
                current = nil
            } else if current != nil, !scalar.properties.isWhitespace {
                current?.unicodeScalars.append(scalar)
            }
        }
        return found
    }

    private final class Container {
        var uid: UInt32?
        weak var parent: Container?
        var children: [Container] = []

        func isAncestor(of other: Container) -> Bool {
            var cursor: Container? = other
            while let node = cursor {
                if node === self { return true }
                cursor = node.parent
            }
            return false
        }

        func adopt(_ child: Container) {
            guard child.parent == nil, child !== self, !child.isAncestor(of: self) else { return }
            child.parent = self
            children.append(child)
        }
    }

    /// The conversations, each a tree of replies, ordered by their first UID.
    public static func threads(_ messages: [Message]) -> [ThreadNode] {
        var byID: [String: Container] = [:]
        var all: [Container] = []
        func container(for id: String) -> Container {
            if let existing = byID[id] { return existing }
            let created = Container()
            byID[id] = created
            all.append(created)
            return created
        }
        for message in messages.sorted(by: { $0.uid < $1.uid }) {
            let own: Container
            if let id = messageIDs(in: message.messageID).first, byID[id]?.uid == nil {
                own = container(for: id)
            } else {
                own = Container()
                all.append(own)
            }
            own.uid = message.uid
            var chain = messageIDs(in: message.references)
            if let replyTo = messageIDs(in: message.inReplyTo).first, chain.last != replyTo { chain.append(replyTo) }
            var previous: Container?
            for id in chain {
                let next = container(for: id)
                if let previous, next.parent == nil { previous.adopt(next) }
                previous = next
            }
            if let previous, own.parent == nil { previous.adopt(own) }
        }
        return all.filter { $0.parent == nil }.compactMap(node).sorted { ($0.uids.min() ?? 0) < ($1.uids.min() ?? 0) }
    }

    /// A container as a node; a container without a message is dropped when it has no
    /// replies and replaced by its reply when it has one.
    private static func node(_ container: Container) -> ThreadNode? {
        let children = container.children.compactMap(node).sorted { ($0.uids.min() ?? 0) < ($1.uids.min() ?? 0) }
        if container.uid == nil {
            if children.isEmpty { return nil }
            if children.count == 1 { return children[0] }
        }
        return ThreadNode(uid: container.uid, children: children)
    }
}
