using System.Net;
using Renkei.Network.Contracts;
using Renkei.Network.Policy;
using Renkei.Network.Tests.Linkage;
using Renkei.Network.Tests.Policy;
using Renkei.TestSupport;

namespace Renkei.Network.Tests.Citizen;

/// <summary>自己情報表示: the portal asks holders with its own token, for the self-display kinds only, recorded like any linkage.</summary>
public sealed class SelfDisplayTests
{
    private static readonly DateOnly Today = DateOnly.FromDateTime(DateTime.UtcNow.AddHours(9));

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task The_portal_gets_the_self_display_kinds_from_the_persons_holders_and_is_refused_any_other_kind(string provider)
    {
        await using var h = await NetworkHarness.StartAsync(provider);
        var policy = h.Network.Policy;
        var person = NetworkHarness.Person(80);
        var atA = await h.IssueAsync(h.A, person);
        var atPension = await h.IssueAsync(h.Pension, person);
        var atPortal = await h.IssueAsync(h.Portal, person);
        var someoneAtPortal = await h.IssueAsync(h.Portal, NetworkHarness.Person(81));
        h.Pension.Holdings[atPension] = """{"annualAmount":780000}""";
        var portal = h.ClientOf(h.Portal);

        // Sources: the institutions holding a token for the person (not B, not the portal itself), each with the kinds its class provides.
        var sources = (await portal.SelfSourcesAsync(new SelfSourcesRequest(NetworkHarness.PortalCode, atPortal))).Sources;
        Assert.Equal([NetworkHarness.WardA, NetworkHarness.PensionCode], sources.Select(s => s.Institution));
        foreach (var source in sources)
            Assert.Equal(policy.SelfDisplayKindsFrom(source.Class, Today).Select(k => (k.Kind, k.Name)), source.Kinds.Select(k => (k.Kind, k.Name)));
        var pensionKinds = sources.Single(s => s.Institution == NetworkHarness.PensionCode).Kinds.Select(k => k.Kind).ToList();
        Assert.Contains("pension-benefit", pensionKinds);
        Assert.DoesNotContain("local-tax", pensionKinds);
        Assert.Contains("local-tax", sources.Single(s => s.Institution == NetworkHarness.WardA).Kinds.Select(k => k.Kind));
        Assert.Empty((await portal.SelfSourcesAsync(new SelfSourcesRequest(NetworkHarness.PortalCode, someoneAtPortal))).Sources);

        // Allowed: sealed to the portal, recorded about the person.
        var allowed = await portal.LinkageAsync(new LinkageRequest(Guid.NewGuid(), NetworkHarness.PortalCode, atPortal, SelfDisplay.Affair,
            NetworkHarness.PensionCode, "pension-benefit", null, null));
        Assert.Equal(LinkageOutcome.Provided, allowed.Outcome);
        Assert.Equal(780000, TestInstitutionNode.Open(h.Portal.Keys, allowed.RequestId, allowed.Answer!).Body!.Value.GetProperty("annualAmount").GetInt32());
        Assert.Equal(atPension, h.Pension.Queries.Single().ProviderToken);

        // Refused: a kind not on the list, and the portal working any other affair; both recorded with no-policy-row.
        var notListed = policy.Kinds.First(k => k.ProvidedBy.Contains(InstitutionClass.Municipality) && policy.SelfDisplay.All(e => e.Kind != k.Code)).Code;
        var refusedKind = await portal.LinkageAsync(new LinkageRequest(Guid.NewGuid(), NetworkHarness.PortalCode, atPortal, SelfDisplay.Affair,
            NetworkHarness.WardA, notListed, null, null));
        var row = PolicyChoice.Allowed(policy, InstitutionClass.Municipality, InstitutionClass.Municipality);
        var otherAffair = await portal.LinkageAsync(new LinkageRequest(Guid.NewGuid(), NetworkHarness.PortalCode, atPortal, row.Affair,
            NetworkHarness.WardA, row.Kind, null, null));
        Assert.All(new[] { refusedKind, otherAffair }, r => Assert.Equal((LinkageOutcome.Refused, RefusalCodes.NoPolicyRow), (r.Outcome, r.RefusalCode)));
        Assert.Empty(h.A.Queries);
        var records = (await portal.ProvisionRecordsAsync(new ProvisionRecordQuery(NetworkHarness.PortalCode, atPortal, null, null))).Records;
        Assert.Equal([(ProvisionResult.Provided, "pension-benefit", (string?)null), (ProvisionResult.Refused, notListed, RefusalCodes.NoPolicyRow),
            (ProvisionResult.Refused, row.Kind, RefusalCodes.NoPolicyRow)], records.Select(r => (r.Result, r.Kind, r.RefusalCode)));
        Assert.All(records, r => Assert.Equal(NetworkHarness.PortalCode, r.Inquirer));

        // The portal's class publishes the self-display rows like any policy rows.
        var published = await portal.PolicyLinkagesAsync(new PolicyLinkagesRequest(NetworkHarness.PortalCode, SelfDisplay.Affair));
        Assert.Equal((InstitutionClass.Portal, "自己情報表示"), (published.InquirerClass, published.AffairName));
        Assert.Contains(published.Rows, r => r.Kind == "pension-benefit" && r.ProviderClass == InstitutionClass.PensionOrganisation);
        Assert.DoesNotContain(published.Rows, r => r.Kind == notListed);

        // Sources are the portal's, about its own person only.
        var ward = await Assert.ThrowsAsync<NetworkException>(() => h.ClientOf(h.A).SelfSourcesAsync(new SelfSourcesRequest(NetworkHarness.WardA, atA)));
        Assert.Equal((HttpStatusCode.Forbidden, "portal-only"), (ward.Status, ward.Code));
        var notIssued = await Assert.ThrowsAsync<NetworkException>(() => portal.SelfSourcesAsync(new SelfSourcesRequest(NetworkHarness.PortalCode, atA)));
        Assert.Equal((HttpStatusCode.NotFound, "unknown-token"), (notIssued.Status, notIssued.Code));
    }

    [Fact]
    public void Every_self_display_kind_of_the_shipped_policy_is_a_catalogue_kind_with_a_legal_note_and_other_classes_never_get_the_affair()
    {
        var policy = LinkagePolicy.LoadDefault();
        Assert.NotEmpty(policy.SelfDisplay);
        Assert.All(policy.SelfDisplay, e => Assert.NotNull(policy.FindKind(e.Kind)));
        Assert.All(policy.SelfDisplay, e => Assert.False(string.IsNullOrWhiteSpace(e.LegalNote)));
        Assert.Contains(policy.Files, f => f.EndsWith(LinkagePolicy.SelfDisplayFileName, StringComparison.Ordinal));
        Assert.DoesNotContain(policy.Rows, r => r.Affair == SelfDisplay.Affair); // not rows of 別表第二
        foreach (var entry in policy.SelfDisplay)
            foreach (var providerClass in policy.FindKind(entry.Kind)!.ProvidedBy)
            {
                Assert.True(policy.Check(InstitutionClass.Portal, SelfDisplay.Affair, providerClass, entry.Kind, Today).IsAllowed);
                Assert.False(policy.Check(InstitutionClass.Municipality, SelfDisplay.Affair, providerClass, entry.Kind, Today).IsAllowed);
            }
        Assert.False(policy.Check(InstitutionClass.Portal, SelfDisplay.Affair, InstitutionClass.Municipality, "local-tax", new DateOnly(2017, 11, 12)).IsAllowed);
    }

    public static TheoryData<string, string, string> BrokenSelfDisplay => new()
    {
        { "unknown kind", """{ "kind": "local-taxes", "name": "x", "legalNote": "y", "effectiveFrom": "2017-11-13" }""", "unknown information kind \"local-taxes\"" },
        { "kind twice", """{ "kind": "local-tax", "name": "x", "legalNote": "y", "effectiveFrom": "2017-11-13" }""", "already listed on line" },
        { "no legal note", """{ "kind": "resident-record", "name": "x", "effectiveFrom": "2017-11-13" }""", "legalNote is missing" },
        { "typo", """{ "kind": "resident-record", "name": "x", "legalNote": "y", "efectiveFrom": "2017-11-13" }""", "effectiveFrom is missing" },
    };

    [Theory]
    [MemberData(nameof(BrokenSelfDisplay))]
    public void A_broken_self_display_entry_stops_the_policy_naming_file_and_line(string @case, string broken, string problem)
    {
        using var fixture = new PolicyFixture();
        var directory = fixture.Write();
        var path = fixture.PathOf(LinkagePolicy.SelfDisplayFileName);
        File.WriteAllText(path, $$"""
            {
              "version": "{{fixture.Version}}",
              "source": "test",
              "kinds": [
                { "kind": "local-tax", "name": "地方税関係情報", "legalNote": "番号法附則第6条", "effectiveFrom": "2017-11-13" },
                {{broken}}
              ]
            }
            """);

        var e = Assert.Throws<PolicyValidationException>(() => LinkagePolicy.Load(directory));

        Assert.Equal((path, 6), (e.File, e.Line)); // the broken entry's line
        Assert.Contains(problem, e.Problem, StringComparison.Ordinal);
        Assert.NotNull(@case);
        File.Delete(path);
        Assert.Empty(LinkagePolicy.Load(directory).SelfDisplay); // optional in a deployment's own directory
    }
}
