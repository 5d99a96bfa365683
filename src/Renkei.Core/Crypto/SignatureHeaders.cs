namespace Renkei.Core.Crypto;

/// <summary>
/// The HTTP headers of a signed request between institutions (see Core <c>RequestSignature</c> for the string to sign).
/// The network's published contract (<c>Renkei.Network.Contracts.SignedRequestHeaders</c>) refers to these.
/// </summary>
public static class SignatureHeaders
{
    public const string Institution = "X-Renkei-Institution";
    public const string Timestamp = "X-Renkei-Timestamp";
    public const string Signature = "X-Renkei-Signature";

    /// <summary>The institution code of the receiver the request is meant for (covered by the signature).</summary>
    public const string Audience = "X-Renkei-Audience";

    /// <summary>A single-use random value (covered by the signature): the receiver refuses a nonce it has seen in the window.</summary>
    public const string Nonce = "X-Renkei-Nonce";

    /// <summary>How far a request's timestamp may be from the receiver's clock.</summary>
    public const int MaxClockSkewSeconds = 300;
}
