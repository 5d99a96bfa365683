using Microsoft.Extensions.DependencyInjection;
using Renkei.Infrastructure;
using Renkei.Infrastructure.Signing;
using Renkei.Intermediate;
using Renkei.Intermediate.Contracts;
using Renkei.Intermediate.Storage;
using Renkei.Municipality.Business;
using Renkei.Municipality.Contracts;
using Renkei.Municipality.Registry;
using Renkei.Municipality.Tests.Addressee;
using Renkei.ServiceDefaults;
using Renkei.TestSupport;

namespace Renkei.Municipality.Tests.Business;

/// <summary>
/// The register feeds the ward's real intermediate server by itself: every import and event leaves its households in the
/// outbox in the same transaction, the feed sends their 住民票関係情報 copies over HTTP, at least once and never doubled.
/// </summary>
public class WardCopyFeedTests
{
    public static TheoryData<string> Providers => TestDatabase.Providers;

    private static DateOnly Today => DateOnly.FromDateTime(DateTimeOffset.UtcNow.ToOffset(TimeSpan.FromHours(9)).DateTime);

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Imports_and_events_reach_the_intermediate_server_with_household_status_and_destination(string provider)
    {
        await using var country = await FeedCountry.StartAsync(provider, residents: 12);
        var ward = country.Ward;
        // The import queued its three households in its own transaction.
        Assert.Equal(3, WardCopyFeed.PendingHouseholds(ward.Database));

        var first = await country.Feed.DrainAsync();
        Assert.Equal((3, 12), (first.Households, first.ResidentCopies));
        Assert.Equal(0, WardCopyFeed.PendingHouseholds(ward.Database));
        var head = await country.ResidentRecordAsync(0);
        Assert.Equal(ResidentStatus.Resident, head.Status);
        Assert.Equal(ward.Resident(0).HouseholdNumber, head.HouseholdNumber);
        Assert.Equal(1, head.RelationshipCode);
        Assert.Equal([.. Enumerable.Range(0, 4).Select(i => ward.AddresseeOf(i).ToInt64())], head.HouseholdMemberAddresseeNumbers.Order());

        // A departure to 大田区: the person's copy says so (date and destination), the household they left lists them no more.
        var events = new RegisterEvents(ward.Register, new FakeJlis());
        await events.DepartureAsync(new DepartureRequest(Guid.NewGuid(), ward.Resident(3).Id, Today, "東京都大田区蒲田五丁目1番1号", "131113"));
        var departed = await country.Feed.DrainAsync();
        Assert.Equal((1, 4), (departed.Households, departed.ResidentCopies));
        var left = await country.ResidentRecordAsync(3);
        Assert.Equal((ResidentStatus.MovedOut, Today, "131113", Today), (left.Status, left.MovedOutOn, left.MovedOutTo, left.UpdatedOn));
        Assert.Equal([ward.AddresseeOf(3).ToInt64()], left.HouseholdMemberAddresseeNumbers);
        Assert.DoesNotContain(ward.AddresseeOf(3).ToInt64(), (await country.ResidentRecordAsync(0)).HouseholdMemberAddresseeNumbers);

        // 世帯分離: the person heads a new household; both households' copies are sent again.
        await events.HouseholdChangeAsync(new HouseholdChangeRequest(Guid.NewGuid(), ward.Resident(6).Id, null, Relationship.Head, Today));
        var split = await country.Feed.DrainAsync();
        Assert.Equal(2, split.Households);
        var separated = await country.ResidentRecordAsync(6);
        Assert.NotEqual(ward.Resident(4).HouseholdNumber, separated.HouseholdNumber);
        Assert.Equal([ward.AddresseeOf(6).ToInt64()], separated.HouseholdMemberAddresseeNumbers);
        Assert.DoesNotContain(ward.AddresseeOf(6).ToInt64(), (await country.ResidentRecordAsync(4)).HouseholdMemberAddresseeNumbers);

        // Nothing is left and a round with nothing to send sends nothing.
        Assert.False((await country.Feed.RunOnceAsync()).SentAnything);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_lost_answer_or_a_stopped_server_resends_and_nothing_is_recorded_twice(string provider)
    {
        await using var country = await FeedCountry.StartAsync(provider, residents: 8);
        var ward = country.Ward;
        await country.Feed.DrainAsync();
        var batches = country.Batches();

        // The feed sent but crashed before it moved its cursor: the next round sends the same rows under the same request
        // id, and the intermediate server answers the first answer without recording a second batch.
        using (var connection = ward.Database.Open())
            connection.Command("UPDATE copy_feed_cursors SET sent_through = 0 WHERE feed = 'register'").ExecuteNonQuery();
        Assert.Equal(2, WardCopyFeed.PendingHouseholds(ward.Database));
        var again = await country.Feed.DrainAsync();
        Assert.Equal(8, again.ResidentCopies);
        Assert.Equal(batches, country.Batches());

        // The intermediate server is down: the event waits in the outbox; when it is back, the copy arrives once.
        await country.StopIntermediateAsync();
        await new RegisterEvents(ward.Register, new FakeJlis()).DeathAsync(new DeathRequest(Guid.NewGuid(), ward.Resident(1).Id, Today));
        await Assert.ThrowsAsync<HttpRequestException>(() => country.Feed.RunOnceAsync());
        Assert.Equal(1, WardCopyFeed.PendingHouseholds(ward.Database));
        await country.StartIntermediateAsync();
        Assert.Equal(4, (await country.Feed.DrainAsync()).ResidentCopies);
        Assert.Equal(0, WardCopyFeed.PendingHouseholds(ward.Database));
        Assert.Equal(batches.Count + 1, country.Batches().Count);
        Assert.Equal(ResidentStatus.Deceased, (await country.ResidentRecordAsync(1)).Status);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_full_run_resends_every_copy_and_records_when_it_finished(string provider)
    {
        await using var country = await FeedCountry.StartAsync(provider, residents: 8);
        var ward = country.Ward;
        var parent = ward.AddresseeOf(0);
        // An assessment (one taxpayer's record) reaches the server without a full run; a bulk import waits for one.
        ward.Systems.ResidenceTax.Record(parent, new DateOnly(2020, 1, 1), ResidenceTaxRules.Assess(2024, new(4_000_000, 500_000, true, 0, 0, 1)));
        ward.Systems.ResidenceTax.Import([new TaxpayerRecord(ward.AddresseeOf(4), new DateOnly(2020, 1, 1),
            [ResidenceTaxRules.Assess(2024, new(3_000_000, 500_000, true, 0, 0, 0))])]);
        var incremental = await country.Feed.DrainAsync();
        Assert.Equal(1, incremental.BusinessCopies);
        Assert.DoesNotContain(WardCopyFeed.Runs(ward.Database), r => r.FinishedAt is null);

        var id = WardCopyFeed.RequestFullRun(ward.Database, "batch:test");
        Assert.Null(WardCopyFeed.Runs(ward.Database).Single(r => r.Id == id).FinishedAt);
        var full = await country.Feed.RunOnceAsync();
        Assert.Equal(1, full.FullRuns);
        Assert.Equal(8, full.ResidentCopies);
        Assert.Equal(2, full.BusinessCopies); // both taxpayers
        var run = WardCopyFeed.Runs(ward.Database).Single(r => r.Id == id);
        Assert.NotNull(run.FinishedAt);
        Assert.Equal(full.ResidentCopies + full.BusinessCopies, run.CopiesSent);
        Assert.Equal("batch:test", run.RequestedBy);
    }

    /// <summary>A ward fixture and its intermediate server (real HTTP, signed as the ward), and the ward's copy feed.</summary>
    private sealed class FeedCountry : IAsyncDisposable
    {
        private readonly TestDatabase _intermediateDatabase;
        private readonly TempDirectory _keys = new();
        private readonly InstitutionKeys _wardKeys;
        private ServiceHost? _host;
        private IntermediateHttpClient? _client;
        private int _port;

        private FeedCountry(string provider, int residents)
        {
            Ward = new WardFixture(provider, residents);
            _intermediateDatabase = TestDatabase.Create(provider);
            _wardKeys = InstitutionKeys.LoadOrCreate(_keys.Path);
        }

        public WardFixture Ward { get; }
        public WardCopyFeed Feed { get; private set; } = null!;

        public static async Task<FeedCountry> StartAsync(string provider, int residents)
        {
            var country = new FeedCountry(provider, residents);
            await country.StartIntermediateAsync();
            return country;
        }

        /// <summary>Starts (or restarts, on the same port and database) the intermediate server and a feed that calls it.</summary>
        public async Task StartIntermediateAsync()
        {
            _host = await ServiceHost.StartAsync("intermediate-131091",
                b => { b.Services.AddSingleton(_intermediateDatabase.Database); b.AddIntermediate(); }, a => a.MapIntermediateApi(),
                new ServiceHostOptions(_port)
                {
                    Settings = new Dictionary<string, string?>
                    {
                        ["Intermediate:HolderCode"] = "131091", ["Intermediate:HolderName"] = "品川区", ["Intermediate:InstitutionKeyDirectory"] = _keys.Path,
                    },
                });
            _port = _host.BaseAddress.Port;
            _client?.Dispose();
            _client = IntermediateHttpClient.Signed(_host.BaseAddress, "131091", _wardKeys.Signing);
            Feed = new WardCopyFeed(Ward.Register, Ward.Addressee, Ward.Systems, _client, TimeProvider.System);
        }

        public async Task StopIntermediateAsync()
        {
            await _host!.DisposeAsync();
            _host = null;
        }

        public async Task<ResidentRecordBody> ResidentRecordAsync(int index)
        {
            var answer = await _client!.ProvideAsync(new ProvisionRequest(Guid.NewGuid(), "131091", Ward.AddresseeOf(index).ToInt64(), null,
                InformationKindCodes.ResidentRecord, Today, IntermediateHttpFeed.Job));
            Assert.Equal(ProvisionOutcome.Provided, answer.Outcome);
            return CopyBodies.FromJson<ResidentRecordBody>(answer.Body!.Value);
        }

        /// <summary>The copy batches the intermediate server recorded (each with the feed job that sent it).</summary>
        public IReadOnlyList<long> Batches() =>
            [.. new IntermediateStore(_intermediateDatabase.Database).Actions.Read().Where(a => a.Operation == HolderActionLog.CopyBatch).Select(a => a.Items)];

        public async ValueTask DisposeAsync()
        {
            if (_host is not null) await _host.DisposeAsync();
            _client?.Dispose();
            _wardKeys.Dispose();
            _intermediateDatabase.Dispose();
            Ward.Dispose();
            _keys.Dispose();
        }
    }
}
