using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Renkei.Network.Contracts;

namespace Renkei.Network.Tests.Linkage;

/// <summary>Runs alone: the meter is process-wide, and linkages of other test classes would be counted too.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MeterCollection
{
    public const string Name = "process-wide meters";
}

/// <summary>The network counts each recorded linkage by result on its meter (what OpenTelemetry exports when switched on).</summary>
[Collection(MeterCollection.Name)]
public sealed class LinkageMetricsTests
{
    [Fact]
    public async Task Each_recorded_linkage_is_counted_by_result()
    {
        var counted = new ConcurrentDictionary<string, long>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == NetworkMetrics.MeterName) l.EnableMeasurementEvents(instrument);
            },
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
                if (tag.Key == "result") counted.AddOrUpdate((string)tag.Value!, value, (_, sum) => sum + value);
        });
        listener.Start();

        await using var h = await NetworkHarness.StartAsync("sqlite");
        var row = PolicyChoice.Allowed(h.Network.Policy, InstitutionClass.Municipality, InstitutionClass.Municipality);
        var person = NetworkHarness.Person(21);
        var atA = await h.IssueAsync(h.A, person);
        var atB = await h.IssueAsync(h.B, person);
        h.B.Holdings[atB] = """{"taxYear":2025}""";
        var client = h.ClientOf(h.A);
        Assert.Equal(LinkageOutcome.Provided,
            (await client.LinkageAsync(new LinkageRequest(Guid.NewGuid(), NetworkHarness.WardA, atA, row.Affair, NetworkHarness.WardB, row.Kind, null, null))).Outcome);
        Assert.Equal(LinkageOutcome.Refused,
            (await client.LinkageAsync(new LinkageRequest(Guid.NewGuid(), NetworkHarness.WardA, atA, "no-such-affair", NetworkHarness.WardB, row.Kind, null, null))).Outcome);
        listener.RecordObservableInstruments();

        Assert.Equal(1, counted.GetValueOrDefault("Provided"));
        Assert.Equal(1, counted.GetValueOrDefault("Refused"));
    }
}
