using System.Net.Http.Json;
using System.Text.Json;
using Renkei.Core.Crypto;
using Renkei.Core.Json;
using Renkei.Network.Contracts;

namespace Renkei.Network.Tests.Citizen;

/// <summary>
/// The signed name table (issue 19, item 5): anyone fetches the names of the codes a record holds, signed with the
/// provision records' key; the same table is not signed again, and a registry change gives a new version.
/// </summary>
public sealed class NameTableTests
{
    [Fact]
    public async Task The_names_of_every_code_are_published_signed_and_versioned()
    {
        await using var h = await NetworkHarness.StartAsync("sqlite");
        using var anyone = new HttpClient { BaseAddress = h.Network.BaseAddress };

        var signed = await anyone.GetFromJsonAsync<SignedNameTable>(ProvisionLogRoutes.Names, JsonDefaults.Options);
        Assert.Equal(h.Network.LogPublicKey, signed!.NetworkPublicKey);
        using (var key = RequestSignature.ImportPublicKey(h.Network.LogPublicKey))
            Assert.True(RequestSignature.VerifyText(key, SignedNameTable.SignedText(signed.Table), signed.Signature));
        using (var requestKey = RequestSignature.ImportPublicKey(h.Network.SigningPublicKey))
            Assert.False(RequestSignature.VerifyText(requestKey, SignedNameTable.SignedText(signed.Table), signed.Signature));
        var table = JsonSerializer.Deserialize<NameTable>(Convert.FromBase64String(signed.Table), JsonDefaults.Options)!;
        Assert.Contains(table.Institutions, n => n.Code == NetworkHarness.WardB && n.Name == h.B.Info.Name);
        Assert.Equal(h.Network.Policy.Affairs.Count + 1, table.Affairs.Count); // and the portal's own 自己情報表示
        Assert.Contains(table.Affairs, n => n.Code == SelfDisplay.Affair && n.Name == SelfDisplay.AffairName);
        var affair = h.Network.Policy.Affairs[0];
        Assert.Contains(table.Affairs, n => n.Code == affair.Code && n.Name == affair.Name);
        Assert.Equal(h.Network.Policy.Kinds.Count, table.Kinds.Count);
        Assert.StartsWith(h.Network.Policy.Version + "+", table.Version, StringComparison.Ordinal);
        Assert.Equal(table.Institutions.Select(n => n.Code).Order(StringComparer.Ordinal), table.Institutions.Select(n => n.Code));

        // Unchanged names: the very same signed table (no signature per request).
        Assert.Equal(signed, await anyone.GetFromJsonAsync<SignedNameTable>(ProvisionLogRoutes.Names, JsonDefaults.Options));

        // A renamed institution: a new version, signed again, with the new name.
        h.Network.Registry.Upsert(h.B.Info with { Name = "大田区（新）" });
        var renamed = await anyone.GetFromJsonAsync<SignedNameTable>(ProvisionLogRoutes.Names, JsonDefaults.Options);
        var newTable = JsonSerializer.Deserialize<NameTable>(Convert.FromBase64String(renamed!.Table), JsonDefaults.Options)!;
        Assert.NotEqual(table.Version, newTable.Version);
        Assert.Contains(newTable.Institutions, n => n.Code == NetworkHarness.WardB && n.Name == "大田区（新）");
        using (var key = RequestSignature.ImportPublicKey(h.Network.LogPublicKey))
            Assert.True(RequestSignature.VerifyText(key, SignedNameTable.SignedText(renamed.Table), renamed.Signature));
    }
}
