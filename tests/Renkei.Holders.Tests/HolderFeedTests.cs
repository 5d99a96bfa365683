using System.Net;
using System.Text.Json;
using Renkei.Core.People;
using Renkei.Holders.Feed;
using Renkei.Holders.Records;
using Renkei.Intermediate.Contracts;
using Renkei.Intermediate.Kinds;
using Renkei.TestSupport;
using Renkei.Holders.Contracts;

namespace Renkei.Holders.Tests;

/// <summary>
/// The holders' records reach their own intermediate servers (the real service, over loopback HTTP) as copies of the two
/// new information kinds, keyed by the holder's person ID; every change replaces the copy with a higher version.
/// </summary>
public sealed class HolderFeedTests
{
    private static readonly InformationKindCatalogue Kinds = InformationKindCatalogue.LoadDefault();

    private static void AssertValidates(JsonElement body, string kind)
    {
        var schema = Kinds.Find(kind);
        Assert.NotNull(schema);
        Assert.Empty(schema.Validate(body));
    }

    private static PensionBenefitItem OldAge(PensionScheme scheme, long amount, DateOnly right) =>
        new(PensionType.OldAge, scheme, null, amount, right, PensionRules.PaymentStart(right), null, false, null);

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_pension_record_becomes_a_valid_copy_and_every_change_replaces_it_with_a_higher_version(string provider)
    {
        await using var h = await HolderHarness.StartAsync(provider, HolderKind.PensionOrganisation);
        var number = HolderHarness.Numbers(1, seed: 11)[0];
        var birth = new DateOnly(1955, 7, 14);
        var right = birth.AddYears(65).AddDays(-1);
        var basic = OldAge(PensionScheme.Basic, PensionRules.OldAgeBasic(birth, 480), right);
        var employees = OldAge(PensionScheme.Employees, 1_200_000, right);

        var request = new PensionRecordRequest(Guid.NewGuid(), number, "1234-567890", 2026, [basic, employees], new PersonDetails("年金 太郎", birth, Sex.Male));
        var first = await h.Staff.RecordPensionAsync(request);
        Assert.True(first.Created);
        Assert.True(first.CopyFed);
        Assert.Equal(1, first.CopyVersion);

        var copy = await h.ProvideAsync(first.PersonId);
        Assert.Equal(ProvisionOutcome.Provided, copy.Outcome);
        Assert.Equal(1, copy.Version);
        Assert.Equal(right, copy.AsOf);
        AssertValidates(copy.Body!.Value, HolderInformationKindCodes.PensionBenefit);
        var body = CopyBodies.FromJson<PensionBenefitBody>(copy.Body.Value);
        Assert.Equal(2026, body.AmountFiscalYear);
        Assert.Equal(PensionRules.FullBasicPensionBornBefore1956April2 + 1_200_000, body.TotalAnnualAmount);
        Assert.Equal([basic, employees], body.Benefits);

        // The employees' part is suspended (a working pensioner): the copy is replaced, the total drops.
        var suspended = employees with { Suspended = true, SuspendedFrom = new DateOnly(2026, 4, 1) };
        var change = request with { RequestId = Guid.NewGuid(), Benefits = [basic, suspended] };
        var second = await h.Staff.RecordPensionAsync(change);
        Assert.False(second.Created);
        Assert.Equal(first.PersonId, second.PersonId);
        Assert.Equal(2, second.CopyVersion);
        copy = await h.ProvideAsync(first.PersonId);
        Assert.Equal(2, copy.Version);
        body = CopyBodies.FromJson<PensionBenefitBody>(copy.Body!.Value);
        Assert.Equal(PensionRules.FullBasicPensionBornBefore1956April2, body.TotalAnnualAmount);
        Assert.True(body.Benefits[1].Suspended);

        // A retry of the same request is answered alike; the same content under a new id changes nothing either.
        Assert.Equal(second, await h.Staff.RecordPensionAsync(change));
        Assert.Equal(2, (await h.Staff.RecordPensionAsync(change with { RequestId = Guid.NewGuid() })).CopyVersion);
        Assert.Equal(2, (await h.ProvideAsync(first.PersonId)).Version);
        var reused = await Assert.ThrowsAsync<HolderApiException>(() => h.Staff.RecordPensionAsync(change with { AmountFiscalYear = 2027 }));
        Assert.Equal(HttpStatusCode.Conflict, reused.Status);
        Assert.Equal("request-id-reused", reused.Code);

        // No benefits any more: the copy is withdrawn from the intermediate server.
        var none = await h.Staff.RecordPensionAsync(request with { RequestId = Guid.NewGuid(), Benefits = [] });
        Assert.Equal(3, none.CopyVersion);
        copy = await h.ProvideAsync(first.PersonId);
        Assert.Equal(ProvisionOutcome.NotHeld, copy.Outcome);
        Assert.Equal("no-copy", copy.Reason);

        var view = await h.Staff.LookupAsync(new PersonLookupRequest(number));
        Assert.Equal(first.PersonId, view.PersonId);
        Assert.Equal("1234567890", view.Pension!.BasicPensionNumber);
        Assert.Empty(view.Pension.Benefits);
        Assert.Equal("年金 太郎", view.Person.Name);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Loss_of_qualification_replaces_the_copies_of_the_insured_person_and_the_dependants_with_higher_versions(string provider)
    {
        await using var h = await HolderHarness.StartAsync(provider, HolderKind.HealthInsurer);
        var numbers = HolderHarness.Numbers(4, seed: 12);
        var (insured, spouse, child, stranger) = (numbers[0], numbers[1], numbers[2], numbers[3]);
        var joined = new DateOnly(2015, 4, 1);

        var a = await h.Staff.RecordQualificationAsync(new QualificationRequest(Guid.NewGuid(), insured, HealthInsuranceMemberCategory.Insured, joined));
        var b = await h.Staff.RecordQualificationAsync(new QualificationRequest(Guid.NewGuid(), spouse, HealthInsuranceMemberCategory.Dependant, joined, insured));
        var c = await h.Staff.RecordQualificationAsync(new QualificationRequest(Guid.NewGuid(), child, HealthInsuranceMemberCategory.Dependant,
            new DateOnly(2018, 6, 10), insured, new PersonDetails(null, new DateOnly(2018, 6, 10), Sex.Female)));
        Assert.All(new[] { a, b, c }, r => Assert.Equal(1, r.CopyVersion));
        Assert.All(new[] { a, b, c }, r => Assert.True(r.CopyFed));

        var copy = await h.ProvideAsync(b.PersonId);
        AssertValidates(copy.Body!.Value, HolderInformationKindCodes.HealthInsuranceQualification);
        Assert.Equal(new HealthInsuranceQualificationBody(InsurerType.HealthInsuranceSociety, "06139999", HealthInsuranceMemberCategory.Dependant, joined, null, null),
            CopyBodies.FromJson<HealthInsuranceQualificationBody>(copy.Body.Value));

        // The insured person retires: 資格喪失日 is the day after the last day of work. Both dependants lose theirs with it.
        var lostOn = new DateOnly(2026, 10, 1);
        var loss = await h.Staff.RecordLossAsync(new QualificationLossRequest(Guid.NewGuid(), insured, lostOn, QualificationLossReason.Retirement));
        Assert.Equal(2, loss.CopyVersion);
        Assert.True(loss.CopyFed);
        Assert.Equal(new[] { b.PersonId, c.PersonId }.Order(), loss.DependantsLost.Order());

        foreach (var (personId, category, reason) in new[]
                 {
                     (a.PersonId, HealthInsuranceMemberCategory.Insured, QualificationLossReason.Retirement),
                     (b.PersonId, HealthInsuranceMemberCategory.Dependant, QualificationLossReason.InsuredLost),
                     (c.PersonId, HealthInsuranceMemberCategory.Dependant, QualificationLossReason.InsuredLost),
                 })
        {
            copy = await h.ProvideAsync(personId);
            Assert.Equal(ProvisionOutcome.Provided, copy.Outcome);
            Assert.Equal(2, copy.Version);
            AssertValidates(copy.Body!.Value, HolderInformationKindCodes.HealthInsuranceQualification);
            var body = CopyBodies.FromJson<HealthInsuranceQualificationBody>(copy.Body.Value);
            Assert.Equal(category, body.InsuredCategory);
            Assert.Equal(lostOn, body.LostOn);
            Assert.Equal(reason, body.LossReason);
        }
        // Asked about a day while still insured, the copy answers too (it speaks from the acquisition on).
        Assert.Equal(ProvisionOutcome.Provided, (await h.ProvideAsync(a.PersonId, new DateOnly(2026, 6, 1))).Outcome);

        // Losing again is refused; the person re-joins later: a new qualification with a higher version.
        var again = await Assert.ThrowsAsync<HolderApiException>(() =>
            h.Staff.RecordLossAsync(new QualificationLossRequest(Guid.NewGuid(), insured, lostOn, QualificationLossReason.Retirement)));
        Assert.Equal("not-qualified", again.Code);
        var rejoined = await h.Staff.RecordQualificationAsync(new QualificationRequest(Guid.NewGuid(), insured, HealthInsuranceMemberCategory.Insured, new DateOnly(2027, 1, 1)));
        Assert.Equal(3, rejoined.CopyVersion);
        var latest = CopyBodies.FromJson<HealthInsuranceQualificationBody>((await h.ProvideAsync(a.PersonId)).Body!.Value);
        Assert.Null(latest.LostOn);
        Assert.Equal(new DateOnly(2027, 1, 1), latest.AcquiredOn);
        Assert.Equal(2, (await h.Staff.LookupAsync(new PersonLookupRequest(insured))).Qualifications.Count);

        // A dependant of someone not insured here is refused, and the refusal names no number.
        var refused = await Assert.ThrowsAsync<HolderApiException>(() => h.Staff.RecordQualificationAsync(
            new QualificationRequest(Guid.NewGuid(), stranger, HealthInsuranceMemberCategory.Dependant, joined, spouse)));
        Assert.Equal("insured-not-qualified", refused.Code);
        Assert.DoesNotContain(spouse.Digits, refused.Message);
        Assert.Null(h.Node.Records.Find(stranger));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Records_kept_while_the_intermediate_server_is_down_reach_it_with_the_next_feed_once_and_only_once(string provider)
    {
        await using var h = await HolderHarness.StartAsync(provider, HolderKind.HealthInsurer);
        var numbers = HolderHarness.Numbers(30, seed: 13);
        var records = h.Node.Records;
        foreach (var number in numbers)
            records.RecordQualification(new QualificationRequest(Guid.NewGuid(), number, HealthInsuranceMemberCategory.Insured, new DateOnly(2020, 4, 1)));

        // A feed to an intermediate server that does not answer fails and leaves everything pending.
        using (var dead = new HttpClient { BaseAddress = new Uri("http://127.0.0.1:9/"), Timeout = TimeSpan.FromSeconds(5) })
            await Assert.ThrowsAnyAsync<HttpRequestException>(() => new CopyFeed(records, new IntermediateHttpClient(dead)).FeedAsync(batchSize: 7));

        var report = await h.Node.FeedCopiesAsync(batchSize: 7);
        Assert.Equal(30, report.Sent);
        Assert.Equal(30, report.Stored);
        Assert.Equal(5, report.Requests);
        Assert.Equal(new CopyFeedReport(0, 0, 0, 0, 0, 0), await h.Node.FeedCopiesAsync());

        // A loss after the feed: only that person's copy goes again, with the next version.
        records.RecordLoss(new QualificationLossRequest(Guid.NewGuid(), numbers[3], new DateOnly(2026, 3, 1), QualificationLossReason.Transfer));
        report = await h.Node.FeedCopiesAsync();
        Assert.Equal(1, report.Sent);
        Assert.Equal(1, report.Stored);
        var person = records.Find(numbers[3])!.PersonId;
        Assert.Equal(2, (await h.ProvideAsync(person)).Version);
    }
}
