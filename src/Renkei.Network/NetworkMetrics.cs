using System.Diagnostics.Metrics;

namespace Renkei.Network;

/// <summary>
/// The network's own meter (exported with OpenTelemetry when a service enables it, <c>Renkei:Telemetry</c>): linkages
/// recorded, by result. Nothing about the person or the institutions is a tag.
/// </summary>
internal static class NetworkMetrics
{
    public const string MeterName = "Renkei.Network";

    private static readonly Meter Meter = new(MeterName);

    /// <summary>One per provision record written (an immediate linkage or a batch item), tagged <c>result</c>.</summary>
    public static readonly Counter<long> Linkages = Meter.CreateCounter<long>("renkei.network.linkages", unit: "{linkage}",
        description: "Linkages recorded in the provision records, by result");
}
