import ContentLines
import Foundation

/// Conversion between vCard 3.0 (RFC 2426) and 4.0 (RFC 6350), and from 2.1 to either.
///
/// What each version spells differently is rewritten — `VERSION`, `TYPE=pref` ⇄
/// `PREF=1`, inline media (`ENCODING=b;TYPE=JPEG` ⇄ `data:` URIs), `GEO`, Apple's
/// group properties ⇄ `KIND`/`MEMBER`, 2.1's bare types and quoted-printable — and
/// every other property passes through unchanged.
extension VCard {
    /// This card in another version.
    public func converted(to target: VCardVersion) -> VCard {
        let source = version
        guard source != target else { return self }
        var card = VCard(sourceLocation: sourceLocation)
        for property in properties {
            if let converted = convert(property, from: source, to: target) { card.properties.append(converted) }
        }
        if card.property("VERSION") == nil {
            card.properties.insert(ContentLine(name: "VERSION", value: target.rawValue), at: 0)
        }
        if target != .v4, card.property("N") == nil {
            // 2.1 and 3.0 require N.
            let index = card.properties.firstIndex { $0.name == "FN" }.map { $0 + 1 } ?? card.properties.count
            card.properties.insert(ContentLine(name: "N", value: ";;;;"), at: index)
        }
        return card
    }

    private func convert(_ original: ContentLine, from source: VCardVersion, to target: VCardVersion) -> ContentLine? {
        var property = original
        if property.name == "VERSION" {
            property.value = target.rawValue
            return property
        }
        if source == .v2_1 { property = fromVersion21(property) }
        switch (property.name, target) {
        case ("PHOTO", .v4), ("LOGO", .v4), ("SOUND", .v4), ("KEY", .v4):
            property = mediaToVersion4(property)
        case ("PHOTO", _), ("LOGO", _), ("SOUND", _), ("KEY", _):
            property = mediaToVersion3(property)
        case ("GEO", .v4) where !property.value.hasPrefix("geo:"):
            let parts = property.value.split(separator: ";")
            if parts.count == 2 { property.value = "geo:\(parts[0]),\(parts[1])" }
        case ("GEO", _) where property.value.hasPrefix("geo:"):
            let coordinates = property.value.dropFirst(4).split(separator: ";").first ?? ""
            property.value = coordinates.split(separator: ",").prefix(2).joined(separator: ";")
        case ("X-ADDRESSBOOKSERVER-KIND", .v4):
            property.name = "KIND"
        case ("X-ADDRESSBOOKSERVER-MEMBER", .v4):
            property.name = "MEMBER"
        case ("KIND", _) where target != .v4:
            property.name = "X-ADDRESSBOOKSERVER-KIND"
        case ("MEMBER", _) where target != .v4:
            property.name = "X-ADDRESSBOOKSERVER-MEMBER"
        default:
            break
        }
        return target == .v4 ? preferenceToVersion4(property) : preferenceToVersion3(property)
    }

    /// 2.1's bare parameters become `TYPE`/`ENCODING`; quoted-printable text is decoded.
    private func fromVersion21(_ original: ContentLine) -> ContentLine {
        var property = original
        var types: [String] = []
        var parameters: [Parameter] = []
        var isQuotedPrintable = false
        for parameter in original.parameters {
            if parameter.rawValue == nil {
                switch parameter.name {
                case "QUOTED-PRINTABLE": isQuotedPrintable = true
                case "BASE64": parameters.append(Parameter(name: "ENCODING", value: "b"))
                default: types.append(parameter.name.lowercased())
                }
            } else if parameter.name == "ENCODING", parameter.value?.uppercased() == "QUOTED-PRINTABLE" {
                isQuotedPrintable = true
            } else if parameter.name == "ENCODING", parameter.value?.uppercased() == "BASE64" {
                parameters.append(Parameter(name: "ENCODING", value: "b"))
            } else if parameter.name != "CHARSET" {
                parameters.append(parameter)
            }
        }
        if !types.isEmpty { parameters.append(Parameter(name: "TYPE", values: types)) }
        if isQuotedPrintable || original.parameter("CHARSET") != nil {
            let text = VCardText.decode(original, version: .v2_1)
            let structured = ["N", "ADR", "ORG"].contains(original.name)
            property.value =
                structured
                ? text.split(separator: ";", omittingEmptySubsequences: false).map { TextValue.escape(String($0)) }
                    .joined(separator: ";")
                : TextValue.escape(text)
        }
        property.parameters = parameters
        return property
    }

    private func mediaToVersion4(_ property: ContentLine) -> ContentLine {
        guard let media = Media(property: property) else { return property }
        var converted = property
        converted.parameters.removeAll { ["ENCODING", "VALUE"].contains($0.name) || ($0.name == "TYPE" && !$0.isUsageType) }
        switch media {
        case .inline(let data, let mediaType):
            converted.value = "data:\(mediaType ?? "application/octet-stream");base64,\(data.base64EncodedString())"
        case .uri(let uri):
            converted.value = uri
        }
        return converted
    }

    private func mediaToVersion3(_ property: ContentLine) -> ContentLine {
        guard property.value.hasPrefix("data:") || !property.value.contains(":") || property.parameter("ENCODING") == nil
        else { return property }
        guard let media = Media(property: property) else { return property }
        var converted = property
        converted.parameters.removeAll { ["ENCODING", "VALUE", "MEDIATYPE"].contains($0.name) }
        switch media {
        case .inline(let data, let mediaType):
            converted.parameters.append(Parameter(name: "ENCODING", value: "b"))
            if let mediaType { converted.parameters.append(Parameter(name: "TYPE", value: Media.vCard3Type(forMediaType: mediaType))) }
            converted.value = data.base64EncodedString()
        case .uri(let uri):
            converted.parameters.append(Parameter(name: "VALUE", value: "uri"))
            converted.value = uri
        }
        return converted
    }

    /// `TYPE=pref` (3.0) becomes `PREF=1` (4.0).
    private func preferenceToVersion4(_ original: ContentLine) -> ContentLine {
        var property = original
        for index in property.parameters.indices where property.parameters[index].name == "TYPE" {
            let values = property.parameters[index].values
            guard values.contains(where: { $0.lowercased() == "pref" }) else { continue }
            let rest = values.filter { $0.lowercased() != "pref" }
            property.parameters[index] = Parameter(name: "TYPE", values: rest)
            property.parameters.append(Parameter(name: "PREF", value: "1"))
        }
        property.parameters.removeAll { $0.name == "TYPE" && $0.values == [] }
        return property
    }

    /// `PREF=n` (4.0) becomes `TYPE=pref` (3.0).
    private func preferenceToVersion3(_ original: ContentLine) -> ContentLine {
        var property = original
        guard property.parameter("PREF") != nil else { return property }
        property.parameters.removeAll { $0.name == "PREF" }
        if let index = property.parameters.firstIndex(where: { $0.name == "TYPE" }) {
            property.parameters[index] = Parameter(name: "TYPE", values: property.parameters[index].values + ["pref"])
        } else {
            property.parameters.append(Parameter(name: "TYPE", value: "pref"))
        }
        return property
    }
}

extension Parameter {
    /// Whether a `TYPE` names a use (`work`, `home`) rather than a media format (`JPEG`).
    fileprivate var isUsageType: Bool {
        values.allSatisfy { ["work", "home", "pref"].contains($0.lowercased()) }
    }
}
