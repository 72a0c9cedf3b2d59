// The kit's default network in C++ with Eigen, for `deno task bench`.
//
// Same network, initialization scheme, data, split, normalization, batch
// size and schedule as `deno task train` and numpy_mlp.py. Build with
//   g++ -O3 -march=native -fopenmp -DNDEBUG -I/usr/include/eigen3 eigen_mlp.cpp
// (-DUSE_DOUBLE for f64); OMP_NUM_THREADS sets how many threads Eigen's
// products use. The original project's slow C++ timing came from
// building without -O3: Eigen's templates need the optimizer.
//
// usage: eigen_mlp DATA_DIR MAX_EPOCHS TARGET [SCHEDULE_EPOCHS]
//        eigen_mlp DATA_DIR full-batch STEPS
// The environment variable SEED (a whole number, default 1) seeds the
// initialization and the shuffles (`deno task bench --seeds N`).
// Prints one JSON object: seconds and test accuracy after every epoch.

#include <Eigen/Dense>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <numeric>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#ifdef USE_DOUBLE
using Real = double;
static const char* kDtype = "f64";
#else
using Real = float;
static const char* kDtype = "f32";
#endif
using Matrix = Eigen::Matrix<Real, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using Vector = Eigen::Matrix<Real, 1, Eigen::Dynamic>;

static std::vector<uint8_t> readIdx(const std::string& path, int dims, std::vector<uint32_t>& shape) {
  std::ifstream file(path, std::ios::binary);
  if (!file) throw std::runtime_error(path + ": cannot open");
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(file)), {});
  auto be32 = [&](size_t at) {
    return uint32_t(bytes[at]) << 24 | uint32_t(bytes[at + 1]) << 16 | uint32_t(bytes[at + 2]) << 8 | bytes[at + 3];
  };
  if (be32(0) != uint32_t(0x800 + dims)) throw std::runtime_error(path + ": bad magic");
  shape.clear();
  for (int d = 0; d < dims; d++) shape.push_back(be32(4 + 4 * d));
  return std::vector<uint8_t>(bytes.begin() + 4 + 4 * dims, bytes.end());
}

// The seed from the environment variable SEED, or 1; -1 when it is not a
// whole number.
static long seedFromEnvironment() {
  const char* text = std::getenv("SEED");
  if (text == nullptr) return 1;
  const std::string seed(text);
  if (seed.empty() || seed.size() > 9 || seed.find_first_not_of("0123456789") != std::string::npos) return -1;
  return std::stol(seed);
}

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: eigen_mlp DATA_DIR MAX_EPOCHS TARGET [SCHEDULE_EPOCHS]\n");
    return 2;
  }
  const std::string dir = argv[1];
  const bool fullBatch = std::string(argv[2]) == "full-batch";
  std::vector<uint32_t> shape;
  auto trainImages = readIdx(dir + "/train-images-idx3-ubyte", 3, shape);
  auto trainLabels = readIdx(dir + "/train-labels-idx1-ubyte", 1, shape);
  auto testImages = readIdx(dir + "/t10k-images-idx3-ubyte", 3, shape);
  auto testLabels = readIdx(dir + "/t10k-labels-idx1-ubyte", 1, shape);
  const int trainCount = 50000, testCount = 10000, pixels = 784;

  double sumSquares = 0;
  for (size_t i = 0; i < size_t(trainCount) * pixels; i++) sumSquares += double(trainImages[i]) * trainImages[i];
  const Real scale = Real(1 / std::sqrt(sumSquares / (double(trainCount) * pixels)));
  Matrix xTrain(trainCount, pixels), xTest(testCount, pixels);
  for (int i = 0; i < trainCount * pixels; i++) xTrain.data()[i] = trainImages[i] * scale;
  for (int i = 0; i < testCount * pixels; i++) xTest.data()[i] = testImages[i] * scale;

  const long seed = seedFromEnvironment();
  if (seed < 0) {
    std::fprintf(stderr, "SEED must be a whole number\n");
    return 2;
  }
  std::mt19937 rng(static_cast<std::mt19937::result_type>(seed));
  std::normal_distribution<double> normal(0, 1);
  const int sizes[] = {784, 128, 64, 10};
  std::vector<Matrix> W(3), dW(3), vW(3);
  std::vector<Vector> b(3), db(3), vb(3);
  for (int l = 0; l < 3; l++) {
    W[l] = Matrix(sizes[l], sizes[l + 1]);
    const double std = std::sqrt(2.0 / sizes[l]);
    const double outputScale = l == 2 ? 0.1 : 1.0;  // the kit's: untrained loss starts at ln 10
    for (int i = 0; i < W[l].size(); i++) W[l].data()[i] = Real(normal(rng) * std * outputScale);
    b[l] = Vector::Zero(sizes[l + 1]);
    vW[l] = Matrix::Zero(sizes[l], sizes[l + 1]);
    vb[l] = Vector::Zero(sizes[l + 1]);
  }

  int batch, maxEpochs, epochs;
  double target, lrMax = 0.05, lrMin, decay;
  bool nesterov;
  if (fullBatch) {
    batch = trainCount;
    maxEpochs = epochs = std::stoi(argv[3]);
    target = 2;
    lrMin = 0.01, decay = 0, nesterov = false;
  } else {
    batch = 64;
    maxEpochs = std::stoi(argv[2]);
    target = std::stod(argv[3]);
    epochs = argc > 4 ? std::stoi(argv[4]) : 15;
    lrMin = 0, decay = 5e-4, nesterov = false;
  }
  const int stepsPerEpoch = (trainCount + batch - 1) / batch;
  const long totalSteps = long(epochs) * stepsPerEpoch;
  const Real momentum = Real(0.9);

  auto testAccuracy = [&]() {
    Matrix h1 = ((xTest * W[0]).rowwise() + b[0]).cwiseMax(Real(0));
    Matrix h2 = ((h1 * W[1]).rowwise() + b[1]).cwiseMax(Real(0));
    Matrix logits = (h2 * W[2]).rowwise() + b[2];
    int right = 0;
    for (int r = 0; r < testCount; r++) {
      Eigen::Index best;
      logits.row(r).maxCoeff(&best);
      right += int(best) == testLabels[r];
    }
    return double(right) / testCount;
  };

  std::vector<int> order(trainCount);
  std::iota(order.begin(), order.end(), 0);
  std::vector<double> seconds, accuracies;
  long step = 0;
  Matrix x, h1, h2, logits, d1, d2, d3;
  for (int epoch = 0; epoch < maxEpochs; epoch++) {
    auto started = std::chrono::steady_clock::now();
    if (!fullBatch) std::shuffle(order.begin(), order.end(), rng);
    for (int start = 0; start < trainCount; start += batch) {
      const int rows = std::min(batch, trainCount - start);
      if (fullBatch) {
        x = xTrain;
      } else {
        x.resize(rows, pixels);
        for (int r = 0; r < rows; r++) x.row(r) = xTrain.row(order[start + r]);
      }
      const Real lr = Real(lrMin + (lrMax - lrMin) * (1 + std::cos(M_PI * double(step) / totalSteps)) / 2);
      h1 = ((x * W[0]).rowwise() + b[0]).cwiseMax(Real(0));
      h2 = ((h1 * W[1]).rowwise() + b[1]).cwiseMax(Real(0));
      logits = (h2 * W[2]).rowwise() + b[2];
      d3.resize(rows, 10);
      for (int r = 0; r < rows; r++) {
        const Real max = logits.row(r).maxCoeff();
        Real sum = 0;
        for (int c = 0; c < 10; c++) sum += (d3(r, c) = std::exp(logits(r, c) - max));
        for (int c = 0; c < 10; c++) d3(r, c) /= sum;
        d3(r, trainLabels[fullBatch ? r : order[start + r]]) -= 1;
      }
      d3 /= Real(rows);
      d2 = (d3 * W[2].transpose()).cwiseProduct((h2.array() > 0).template cast<Real>().matrix());
      d1 = (d2 * W[1].transpose()).cwiseProduct((h1.array() > 0).template cast<Real>().matrix());
      dW[0].noalias() = x.transpose() * d1;
      dW[1].noalias() = h1.transpose() * d2;
      dW[2].noalias() = h2.transpose() * d3;
      db[0] = d1.colwise().sum();
      db[1] = d2.colwise().sum();
      db[2] = d3.colwise().sum();
      for (int l = 0; l < 3; l++) {
        Matrix gW = dW[l] + Real(decay) * W[l];
        vW[l] = momentum * vW[l] + gW;
        W[l] -= lr * (nesterov ? Matrix(gW + momentum * vW[l]) : vW[l]);
        Vector gb = db[l] + Real(decay) * b[l];
        vb[l] = momentum * vb[l] + gb;
        b[l] -= lr * (nesterov ? Vector(gb + momentum * vb[l]) : vb[l]);
      }
      step++;
    }
    seconds.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
    if (!fullBatch || epoch == maxEpochs - 1) {
      accuracies.push_back(testAccuracy());
      if (accuracies.back() >= target && epoch >= 2) break;  // at least 3 epochs to time
    }
  }
  std::printf("{\"implementation\": \"eigen\", \"dtype\": \"%s\", \"eigen\": \"%d.%d.%d\", \"epoch_seconds\": [", kDtype,
              EIGEN_WORLD_VERSION, EIGEN_MAJOR_VERSION, EIGEN_MINOR_VERSION);
  for (size_t i = 0; i < seconds.size(); i++) std::printf("%s%.6f", i ? ", " : "", seconds[i]);
  std::printf("], \"test_accuracy\": [");
  for (size_t i = 0; i < accuracies.size(); i++) std::printf("%s%.4f", i ? ", " : "", accuracies[i]);
  std::printf("]}\n");
  return 0;
}
