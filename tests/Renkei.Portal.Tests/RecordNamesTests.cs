using System.Security.Cryptography;
using Renkei.Core.Audit;
using Renkei.Core.Crypto;
using Renkei.Network.Contracts;

namespace Renkei.Portal.Tests;

/// <summary>The portal takes names only from a name table signed with the pinned network key (issue 19, item 5).</summary>
public sealed class RecordNamesTests
{
    private static readonly NameTable Table = new("v1+0123456789abcdef", DateTimeOffset.UnixEpoch,
        [new NamedCode("131091", "品川区"), new NamedCode("131113", "大田区")], [new NamedCode("child-allowance", "児童手当")], [new NamedCode("local-tax", "地方税関係情報")]);

    private static SignedNameTable Sign(ECDsa key, NameTable table)
    {
        var text = Convert.ToBase64String(CanonicalJson.Serialize(table));
        return new SignedNameTable(text, RequestSignature.SignText(key, SignedNameTable.SignedText(text)),
            Convert.ToBase64String(key.ExportSubjectPublicKeyInfo()));
    }

    [Fact]
    public void A_table_signed_with_the_pinned_key_gives_names_and_codes_it_lacks_stay_codes()
    {
        using var network = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var signed = Sign(network, Table);
        var names = RecordNames.Verify(signed, signed.NetworkPublicKey, DateTimeOffset.UnixEpoch);
        Assert.Equal("大田区", names.Institution("131113"));
        Assert.Equal("児童手当", names.Affair("child-allowance"));
        Assert.Equal("地方税関係情報", names.Kind("local-tax"));
        Assert.Equal("999999", names.Institution("999999"));
        Assert.False(names.Knows("999999"));
    }

    [Fact]
    public void A_table_signed_with_another_key_or_altered_after_signing_is_refused()
    {
        using var network = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var pinned = Convert.ToBase64String(network.ExportSubjectPublicKeyInfo());

        var byOther = Sign(other, Table);
        Assert.Equal("name-table-unverified", Assert.Throws<NetworkException>(() => RecordNames.Verify(byOther, pinned, DateTimeOffset.UnixEpoch)).Code);
        // Claims the pinned key, but the signature is another key's.
        Assert.Throws<NetworkException>(() => RecordNames.Verify(byOther with { NetworkPublicKey = pinned }, pinned, DateTimeOffset.UnixEpoch));
        // Signed, then a name changed (大田区 → 板橋区).
        var signed = Sign(network, Table);
        var altered = Convert.ToBase64String(CanonicalJson.Serialize(Table with { Institutions = [new NamedCode("131091", "品川区"), new NamedCode("131113", "板橋区")] }));
        Assert.Throws<NetworkException>(() => RecordNames.Verify(signed with { Table = altered }, pinned, DateTimeOffset.UnixEpoch));
        Assert.Throws<NetworkException>(() => RecordNames.Verify(signed with { Table = "not base64!" }, pinned, DateTimeOffset.UnixEpoch));
    }
}
