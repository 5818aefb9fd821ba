package dlm.runtime;

/**
 * How to read the prediction output when computing metrics.
 * <ul>
 *   <li>PROBABILITY: values in (0,1); binary when one column (threshold 0.5), else argmax.</li>
 *   <li>LOGITS: raw scores for binary_cross_entropy_with_logits; one column thresholded at 0.</li>
 *   <li>CLASS_LOGITS: one score per class for cross_entropy; argmax.</li>
 *   <li>VALUE: regression output (mse); classification metrics do not apply.</li>
 * </ul>
 */
public enum Prediction {
    PROBABILITY, LOGITS, CLASS_LOGITS, VALUE
}
