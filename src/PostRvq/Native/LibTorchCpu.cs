using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace PostRvq.Native;

/// <summary>
/// CPU settings of LibTorch that TorchSharp does not expose.
/// LibTorch 2.10's oneDNN (mkldnn) convolution backward on CPU returns wrong, sometimes NaN, gradients for
/// strided and transposed 1-D convolutions and for convolutions with fewer than 16 outputs (checked against
/// float64 in ExactConvolutionTests and OneDnnExactnessTests), so a trainer switches oneDNN off unless
/// <see cref="ConvExactness"/> finds every layer shape it uses exact, as it is or padded with zero filters (see
/// PostRvq.Training.CpuConvolutions). ATen's native kernels cost speed, not accuracy.
/// NNPACK stays off either way: with oneDNN on it is only reached for shapes oneDNN declines, and no check covers it.
/// </summary>
public static class LibTorchCpu
{
    static readonly object Gate = new();
    static bool? oneDnn;

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    delegate IntPtr GlobalContext();

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    delegate void SetFlag(IntPtr context, [MarshalAs(UnmanagedType.U1)] bool enabled);

    /// <summary>True while oneDNN and NNPACK are off, after <see cref="UseExactConvolutions"/>.</summary>
    public static bool ExactConvolutions => oneDnn == false;

    /// <summary>True while oneDNN is on by <see cref="UseOneDnnConvolutions"/>; false while off or still at LibTorch's default.</summary>
    public static bool OneDnnConvolutions => oneDnn == true;

    /// <summary>Turns oneDNN and NNPACK convolutions off for the whole process (idempotent).</summary>
    public static void UseExactConvolutions() => Set(oneDnnEnabled: false);

    /// <summary>Turns oneDNN convolutions on and NNPACK off for the whole process (idempotent).</summary>
    public static void UseOneDnnConvolutions() => Set(oneDnnEnabled: true);

    static void Set(bool oneDnnEnabled)
    {
        lock (Gate)
        {
            if (oneDnn == oneDnnEnabled) return;
            // Any tensor operation makes TorchSharp load libtorch_cpu, which dlopen then finds by its soname.
            using (var warmUp = zeros(1)) { }
            var library = NativeLibrary.Load(OperatingSystem.IsWindows() ? "torch_cpu.dll" : "libtorch_cpu.so");
            var context = Marshal.GetDelegateForFunctionPointer<GlobalContext>(
                NativeLibrary.GetExport(library, "_ZN2at13globalContextEv"))();
            Marshal.GetDelegateForFunctionPointer<SetFlag>(
                NativeLibrary.GetExport(library, "_ZN2at7Context20setUserEnabledMkldnnEb"))(context, oneDnnEnabled);
            Marshal.GetDelegateForFunctionPointer<SetFlag>(
                NativeLibrary.GetExport(library, "_ZN2at7Context20setUserEnabledNNPACKEb"))(context, false);
            oneDnn = oneDnnEnabled;
        }
    }
}
