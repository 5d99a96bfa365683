using System.Net;
using Renkei.Network.Contracts;
using Renkei.TestSupport;

namespace Renkei.Network.Tests;

/// <summary>
/// <see cref="NetworkRoutes.PolicyLinkages"/>: the network publishes the rows the caller's class may use in an affair on a
/// day, as its loaded policy has them; only in the caller's own name.
/// </summary>
public sealed class PolicyRouteTests
{
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task The_rows_of_the_callers_class_for_an_affair_and_day_are_published(string provider)
    {
        await using var h = await NetworkHarness.StartAsync(provider);
        var ward = h.ClientOf(h.A);
        var date = new DateOnly(2026, 4, 15);

        var rows = await ward.PolicyLinkagesAsync(new PolicyLinkagesRequest(NetworkHarness.WardA, "child-rearing-allowance", date));

        Assert.Equal((InstitutionClass.Municipality, "child-rearing-allowance", date, h.Network.Policy.Version),
            (rows.InquirerClass, rows.Affair, rows.Date, rows.PolicyVersion));
        var expected = h.Network.Policy.RowsFor(InstitutionClass.Municipality, "child-rearing-allowance", date);
        Assert.Equal(expected.Select(r => (r.Id, r.ProviderClass, r.Kind, r.Source)), rows.Rows.Select(r => (r.RowId, r.ProviderClass, r.Kind, r.Source)));
        Assert.Contains(rows.Rows, r => r.ProviderClass == InstitutionClass.PensionOrganisation && r.Kind == "pension-benefit" && r.KindName is not null);
        Assert.Equal(rows.Rows.Count, rows.Rows.Select(r => r.RowId).Distinct().Count());

        // Another class sees its own rows; an affair on a day before its rows are in force has none.
        var pension = await h.ClientOf(h.Pension).PolicyLinkagesAsync(new PolicyLinkagesRequest(NetworkHarness.PensionCode, "child-rearing-allowance", date));
        Assert.Empty(pension.Rows);
        var early = await ward.PolicyLinkagesAsync(new PolicyLinkagesRequest(NetworkHarness.WardA, "ord-child-upbringing-allowance", new DateOnly(2026, 4, 15)));
        Assert.DoesNotContain(early.Rows, r => r.Kind == "resident-record");
        var later = await ward.PolicyLinkagesAsync(new PolicyLinkagesRequest(NetworkHarness.WardA, "ord-child-upbringing-allowance", new DateOnly(2027, 4, 1)));
        Assert.Contains(later.Rows, r => r.Kind == "resident-record");
        Assert.Empty((await ward.PolicyLinkagesAsync(new PolicyLinkagesRequest(NetworkHarness.WardA, "no-such-affair", date))).Rows);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task An_institution_asks_only_in_its_own_name_and_names_an_affair(string provider)
    {
        await using var h = await NetworkHarness.StartAsync(provider);
        var ward = h.ClientOf(h.A);

        var other = await Assert.ThrowsAsync<NetworkException>(() => ward.PolicyLinkagesAsync(new PolicyLinkagesRequest(NetworkHarness.WardB, "child-allowance")));
        Assert.Equal((HttpStatusCode.Forbidden, "sender-mismatch"), (other.Status, other.Code));
        var empty = await Assert.ThrowsAsync<NetworkException>(() => ward.PolicyLinkagesAsync(new PolicyLinkagesRequest(NetworkHarness.WardA, " ")));
        Assert.Equal((HttpStatusCode.BadRequest, "invalid-request"), (empty.Status, empty.Code));
        Assert.Contains("affair", empty.Message);
    }
}
