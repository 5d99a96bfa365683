namespace Renkei.Kiosk;

/// <summary>
/// The kiosk's printer. The default (<see cref="OutputTray"/>) puts the document in the output tray — the screen's
/// download of the printed certificate; a device puts it on paper. A failure is an exception: the kiosk then voids the
/// issuance at the centre (no charge) and returns the money.
/// </summary>
public interface IKioskPrinter
{
    Task PrintAsync(ReadOnlyMemory<byte> document, CancellationToken cancellationToken);
}

/// <summary>Prints to the output tray only: the document waits in the transaction until the screen takes it.</summary>
public sealed class OutputTray : IKioskPrinter
{
    public Task PrintAsync(ReadOnlyMemory<byte> document, CancellationToken cancellationToken) => Task.CompletedTask;
}
