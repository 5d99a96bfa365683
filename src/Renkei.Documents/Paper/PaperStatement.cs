using System.Formats.Asn1;
using System.Globalization;
using Renkei.Core.Text;

namespace Renkei.Documents.Paper;

/// <summary>
/// What the 2D code on one page of a certificate states, signed by the ward (docs/paper.md): the format version, the issuer
/// (municipality code), the issuance id (the ledger's serial), the date of issue, the kind, the page and the page count, and the
/// SHA-256 digest of the page's printed text (<see cref="PaperText"/>). Nothing about the person beyond that digest: no name,
/// no individual number, no resident-record code.
/// </summary>
public sealed record PaperStatement(string Issuer, long IssuanceId, DateOnly IssuedOn, string Kind, int Page, int Pages, byte[] TextDigest)
{
    /// <summary>The format version this code writes and reads.</summary>
    public const int CurrentVersion = 1;

    /// <summary>The DER encoding that is signed: SEQUENCE { version, issuer, issuanceId, issuedOn, kind, page, pages, textDigest }.</summary>
    public byte[] Encode()
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        Write(writer);
        return writer.Encode();
    }

    internal void Write(AsnWriter writer)
    {
        using (writer.PushSequence())
        {
            writer.WriteInteger(CurrentVersion);
            writer.WriteCharacterString(UniversalTagNumber.PrintableString, Issuer);
            writer.WriteInteger(IssuanceId);
            writer.WriteCharacterString(UniversalTagNumber.PrintableString, IssuedOn.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
            writer.WriteCharacterString(UniversalTagNumber.PrintableString, Kind);
            writer.WriteInteger(Page);
            writer.WriteInteger(Pages);
            writer.WriteOctetString(TextDigest);
        }
    }

    /// <exception cref="AsnContentException">not a statement of <see cref="CurrentVersion"/>.</exception>
    /// <exception cref="FormatException">a field out of its form.</exception>
    internal static PaperStatement Read(AsnReader outer)
    {
        var reader = outer.ReadSequence();
        if (reader.ReadInteger() != CurrentVersion) throw new FormatException("unknown version");
        var issuer = reader.ReadCharacterString(UniversalTagNumber.PrintableString);
        var id = (long)reader.ReadInteger();
        var on = DateOnly.ParseExact(reader.ReadCharacterString(UniversalTagNumber.PrintableString), "yyyy-MM-dd", CultureInfo.InvariantCulture);
        var kind = reader.ReadCharacterString(UniversalTagNumber.PrintableString);
        var page = (int)reader.ReadInteger();
        var pages = (int)reader.ReadInteger();
        var digest = reader.ReadOctetString();
        reader.ThrowIfNotEmpty();
        if (digest.Length != 32 || page < 1 || page > pages) throw new FormatException("digest or page out of range");
        return new PaperStatement(issuer, id, on, kind, page, pages, digest);
    }
}

/// <summary>
/// The 2D code's content: the statement, the signer's certificate (DER, so a verifier needs only J-LIS's root and CRL) and
/// the ECDSA P-256 signature over the statement's DER (IEEE P1363, r‖s, 64 octets). In the QR code it is
/// <c>RKP1:</c> followed by the DER of SEQUENCE { statement, certificate, signature } in RFC 4648 base32 without padding:
/// every character is of the QR alphanumeric mode, which stores base32 about as densely as bytes.
/// </summary>
public sealed record PaperCode(PaperStatement Statement, byte[] SignerCertificate, byte[] Signature)
{
    /// <summary>The statement's DER exactly as read from a code (what the signature covers); null for a code made here.</summary>
    internal byte[]? SignedBytes { get; init; }

    /// <summary>The bytes the signature covers.</summary>
    internal byte[] Signed => SignedBytes ?? Statement.Encode();

    /// <summary>What every code of this format starts with.</summary>
    public const string Prefix = "RKP1:";

    public string ToText()
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            Statement.Write(writer);
            writer.WriteEncodedValue(SignerCertificate);
            writer.WriteOctetString(Signature);
        }
        return Prefix + Base32.Encode(writer.Encode());
    }

    /// <summary>Reads a code; null when the text is not one (another QR code, a damaged one).</summary>
    public static PaperCode? TryParse(string? text)
    {
        if (text is null || !text.StartsWith(Prefix, StringComparison.Ordinal)) return null;
        try
        {
            var outer = new AsnReader(Base32.Decode(text[Prefix.Length..]), AsnEncodingRules.DER);
            var reader = outer.ReadSequence();
            outer.ThrowIfNotEmpty();
            var signed = reader.ReadEncodedValue().ToArray();
            var statementReader = new AsnReader(signed, AsnEncodingRules.DER);
            var statement = PaperStatement.Read(statementReader);
            statementReader.ThrowIfNotEmpty();
            var certificate = reader.ReadEncodedValue().ToArray();
            var signature = reader.ReadOctetString();
            reader.ThrowIfNotEmpty();
            return new PaperCode(statement, certificate, signature) { SignedBytes = signed };
        }
        catch (Exception e) when (e is AsnContentException or FormatException or OverflowException or InvalidCastException)
        {
            return null;
        }
    }

}
